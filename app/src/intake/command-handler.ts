// From a `/patchplane` line to a durable PromptRequest and a queued run — or a
// polite, explained refusal. Steps, in order, cheapest first: ignore bots →
// the text must hold a command line at all (one linear scan) → the repository
// must be connected → the sender must have write access → only then sanitise
// (bounded in time, off the main thread) and find the command in what a
// reviewer sees → act on it. So nobody without write access can make
// PatchPlane do more than one scan of their text. GitHub calls: permission
// look-up, (PR look-up), 👀 reaction, status comment, check run.
import {
  type Database,
  findPatchPlanePullRequest,
  getPromptRequestByDelivery,
  getRepositoryByFullName,
  insertIssueBinding,
  insertPromptRequest,
  latestRunForIssue,
  recordRollback,
  type RepositoryRow,
  setStatusComment,
  updateDefaultBranch,
  type WorkflowRunRow,
} from "@patchplane/db"
import { Effect } from "effect"
import type { PolicySpec, RevertTarget, SourceChannel } from "@patchplane/domain"
import type { GitHubShape, ReactionTarget, RepoRef } from "../github/github-service.ts"
import type { ControlError, OrchestratorShape } from "../orchestration/orchestrator.ts"
import type { Logger } from "../platform/logger.ts"
import type { GitHubWrites, RunStatus } from "./github-writes.ts"
import {
  forkReply,
  invalidCommandReply,
  noRunReply,
  notAllowedReply,
  promptTooLongReply,
  revertNotMergedReply,
  revertNotOursReply,
  revertWhereReply,
  unreadableReply,
  USAGE,
} from "./replies.ts"
import { sanitizeBounded, TextRefused } from "./bounded-sanitizer.ts"
import { holdsCommandLine, parseSlashCommand, type SlashCommand } from "./slash-command.ts"
import type { RepositoryPayload } from "./webhook-payloads.ts"

const WRITERS = new Set(["admin", "maintain", "write"])

export interface IntakeDeps {
  readonly db: Database
  /** GitHub reads: permissions, pull requests, CI jobs. */
  readonly github: GitHubShape
  /** Every GitHub write intake makes (publication's, wired in main/). */
  readonly writes: GitHubWrites
  readonly orchestrator: OrchestratorShape
  readonly log: Logger
  readonly maxPromptChars: number
  readonly dashboardUrl: (runId: string) => string
  /** The policy a repository's runs follow: its own `.github/patchplane.yml` over the defaults. */
  readonly policyFor: (repository: RepositoryRow, installationId: number) => Promise<PolicySpec>
  /** Mirrors a run's state to its status comment and check run (best effort). */
  readonly publishStatus: (runId: string) => Promise<void>
}

/** How a delivery ended, stored on its webhookDeliveries row. */
export interface Outcome {
  readonly outcome: "processed" | "ignored" | "refused"
  readonly note?: string
}

export interface CommandSource {
  readonly deliveryId: string
  readonly channel: Extract<
    SourceChannel,
    "issue" | "issue_comment" | "pr_comment" | "pr_review_comment" | "pr_review" | "ci_failure"
  >
  readonly installationId: number | undefined
  readonly repository: RepositoryPayload
  readonly sender: { readonly login: string; readonly id: number; readonly type: string }
  readonly text: string
  readonly issueNumber: number
  readonly commentId: number | null
  readonly reactionTarget: ReactionTarget
  /** Set for PR conversations; head details are filled in when the payload has them. */
  readonly pullRequest: null | {
    readonly number: number
    readonly headSha?: string
    readonly headRef?: string
    readonly headRepoFullName?: string | null
  }
}

const ignored = (note: string): Outcome => ({ outcome: "ignored", note })
const refused = (note: string): Outcome => ({ outcome: "refused", note })
const processed = (note?: string): Outcome =>
  note === undefined ? { outcome: "processed" } : { outcome: "processed", note }

/** A reply on the issue or PR the command came from (publication: retried, recorded). */
export const reply = (
  deps: IntakeDeps,
  source: CommandSource,
  ref: RepoRef,
  body: string,
  runId: string | null = null,
) => deps.writes.forDelivery(source.deliveryId).reply(ref, source.issueNumber, body, runId)

export const handleCommandSource = (deps: IntakeDeps, source: CommandSource) =>
  Effect.gen(function* () {
    const log = deps.log.child({ deliveryId: source.deliveryId })
    if (source.sender.type === "Bot") return ignored("sent by a bot")
    if (!holdsCommandLine(source.text)) return ignored("no /patchplane command")

    const found = yield* Effect.promise(() =>
      getRepositoryByFullName(deps.db, source.repository.full_name),
    )
    if (found === undefined || !found.active || source.installationId === undefined)
      return refused(`repository ${source.repository.full_name} is not connected to PatchPlane`)
    const branch = source.repository.default_branch ?? found.defaultBranch
    if (branch !== found.defaultBranch)
      yield* Effect.promise(() => updateDefaultBranch(deps.db, found.id, branch))
    const repository: RepositoryRow = { ...found, defaultBranch: branch }

    const ref: RepoRef = {
      installationId: source.installationId,
      owner: source.repository.owner.login,
      repo: source.repository.name,
    }
    const permission = yield* deps.github.repoPermission(ref, source.sender.login)
    if (!WRITERS.has(permission)) {
      log.info({ login: source.sender.login, permission }, "command refused: no write access")
      yield* reply(deps, source, ref, notAllowedReply(source.sender.login, repository.fullName))
      return refused(`@${source.sender.login} has ${permission} permission, write is required`)
    }
    const sanitized = yield* Effect.tryPromise({
      try: () => sanitizeBounded(source.text),
      catch: (error) => error,
    }).pipe(
      Effect.map((text): string | TextRefused => text),
      Effect.catch((error) =>
        error instanceof TextRefused ? Effect.succeed(error) : Effect.die(error),
      ),
    )
    if (sanitized instanceof TextRefused) {
      log.warn({ reason: sanitized.message }, "command refused: text could not be read in time")
      yield* reply(deps, source, ref, unreadableReply(sanitized.message))
      return refused(`text not read: ${sanitized.message}`)
    }
    const command = parseSlashCommand(sanitized)
    if (command === null) return ignored("no /patchplane command in the text a reviewer sees")
    log.info({ command: command.kind, login: source.sender.login }, "command accepted")
    return yield* act(deps, source, ref, repository, command)
  })

const act = (
  deps: IntakeDeps,
  source: CommandSource,
  ref: RepoRef,
  repository: RepositoryRow,
  command: SlashCommand,
) =>
  Effect.gen(function* () {
    switch (command.kind) {
      case "invalid":
        yield* reply(deps, source, ref, invalidCommandReply(command))
        return refused(`invalid command: ${command.problem}`)
      case "help":
        yield* reply(deps, source, ref, USAGE)
        return processed()
      case "run":
        return yield* startRun(deps, source, ref, repository, command.prompt)
      case "revert":
        return yield* startRevert(deps, source, ref, repository)
      default:
        return yield* controlRun(deps, source, ref, repository, command)
    }
  })

/**
 * `/patchplane revert` on a merged PatchPlane PR: a run that reverts what its
 * merge put on the branch it was merged into (the merge commit, the squashed
 * commit, or every rebased commit) and opens a PR with the revert.
 */
const startRevert = (
  deps: IntakeDeps,
  source: CommandSource,
  ref: RepoRef,
  repository: RepositoryRow,
) =>
  Effect.gen(function* () {
    const number = source.pullRequest?.number
    if (number === undefined) {
      yield* reply(deps, source, ref, revertWhereReply)
      return refused("revert outside a pull request")
    }
    const binding = yield* Effect.promise(() =>
      findPatchPlanePullRequest(deps.db, repository.id, number),
    )
    if (binding === undefined) {
      yield* reply(deps, source, ref, revertNotOursReply(number))
      return refused(`#${number} was not opened by PatchPlane`)
    }
    const pr = yield* deps.github.getPullRequest(ref, number)
    if (!pr.merged || pr.mergeCommitSha === null) {
      yield* reply(deps, source, ref, revertNotMergedReply(number))
      return refused(`#${number} is not merged`)
    }
    const commits = yield* deps.github.listPullRequestCommits(ref, number)
    return yield* startRun(deps, source, ref, repository, `Revert #${number}: ${pr.title}`, {
      targetRef: pr.baseRef,
      revertOf: {
        pullRequestNumber: number,
        mergeCommitSha: pr.mergeCommitSha,
        workflowRunId: binding.workflowRunId,
        commitSubjects: commits.map((commit) => commit.message.split("\n")[0] ?? ""),
      },
    })
  })

export const startRun = (
  deps: IntakeDeps,
  source: CommandSource,
  ref: RepoRef,
  repository: RepositoryRow,
  prompt: string,
  revert?: { readonly targetRef: string; readonly revertOf: RevertTarget },
  /** After the run is queued (a follow-up round links itself to the run before it). */
  onQueued?: (run: WorkflowRunRow) => Promise<void>,
) =>
  Effect.gen(function* () {
    if (prompt.length > deps.maxPromptChars) {
      yield* reply(deps, source, ref, promptTooLongReply(prompt.length, deps.maxPromptChars))
      return refused(`prompt of ${prompt.length} characters exceeds ${deps.maxPromptChars}`)
    }
    let targetRef = revert?.targetRef ?? repository.defaultBranch
    let headSha: string | undefined
    if (source.pullRequest !== null && revert === undefined) {
      const known = source.pullRequest
      const pr =
        known.headSha !== undefined && known.headRef !== undefined
          ? {
              headSha: known.headSha,
              headRef: known.headRef,
              headRepoFullName: known.headRepoFullName,
            }
          : yield* deps.github.getPullRequest(ref, known.number)
      if (pr.headRepoFullName?.toLowerCase() !== repository.fullName.toLowerCase()) {
        yield* reply(deps, source, ref, forkReply)
        return refused("pull request from a fork")
      }
      targetRef = pr.headRef
      headSha = pr.headSha
    }

    yield* deps.writes.forDelivery(source.deliveryId).acknowledge(ref, source.reactionTarget)

    // Durable first: the request, its binding and its queued run. A
    // redelivery of a delivery that failed half-way continues from here.
    const request = yield* Effect.promise(async () => {
      const existing = await getPromptRequestByDelivery(deps.db, source.deliveryId)
      if (existing) return existing
      return deps.db.transaction(async (tx) => {
        const created = await insertPromptRequest(tx, {
          repositoryId: repository.id,
          prompt,
          promptRaw: source.text,
          sourceChannel: source.channel,
          targetRef,
          initiator: { kind: "github", login: source.sender.login, id: source.sender.id },
          initiatorLogin: source.sender.login,
          deliveryId: source.deliveryId,
          issueNumber: source.issueNumber,
          commentId: source.commentId,
          revertOf: revert?.revertOf ?? null,
        })
        if (revert !== undefined) await recordRollback(tx, created.id, revert.revertOf)
        await insertIssueBinding(tx, {
          repositoryId: repository.id,
          issueNumber: source.issueNumber,
          promptRequestId: created.id,
        })
        return created
      })
    })
    const run = yield* deps.orchestrator.enqueue({
      promptRequestId: request.id,
      repositoryId: repository.id,
      actor: source.sender.login,
    })
    if (onQueued !== undefined) yield* Effect.promise(() => onQueued(run))

    const writes = deps.writes.forDelivery(source.deliveryId)
    if (run.statusCommentId === null)
      yield* writes.openStatusComment(
        ref,
        source.issueNumber,
        statusOf(run, request.id, source.sender.login),
      )
    if (headSha !== undefined && run.checkRunId === null)
      yield* writes.openQueuedCheck(ref, { headSha, runId: run.id })
    return processed(`run ${run.id} queued`)
  })

const statusOf = (run: WorkflowRunRow, requestId: string, login: string): RunStatus => ({
  runId: run.id,
  promptRequestId: requestId,
  state: run.state,
  reason: run.reason,
  initiator: login,
})

const controlAction = (
  o: OrchestratorShape,
  runId: string,
  actor: string,
  command: Exclude<SlashCommand, { kind: "invalid" | "help" | "run" | "status" | "revert" }>,
): Effect.Effect<WorkflowRunRow, ControlError> => {
  switch (command.kind) {
    case "cancel":
      return o.cancel(runId, actor, `cancelled by @${actor}`)
    case "approve":
      return o.approve(runId, actor)
    case "reject":
      return o.reject(runId, actor, command.reason)
    case "retry":
      return o.retry(runId, actor)
    case "steer":
      // Already sanitised: the command was read from the sanitised text.
      return o.steer(runId, actor, command.message)
  }
}

const controlRun = (
  deps: IntakeDeps,
  source: CommandSource,
  ref: RepoRef,
  repository: RepositoryRow,
  command: Exclude<SlashCommand, { kind: "invalid" | "help" | "run" | "revert" }>,
) =>
  Effect.gen(function* () {
    const latest = yield* Effect.promise(() =>
      latestRunForIssue(deps.db, repository.id, source.issueNumber),
    )
    if (latest === undefined) {
      yield* reply(deps, source, ref, noRunReply)
      return refused("no run on this issue")
    }
    const { run, request } = latest
    const actor = source.sender.login
    if (command.kind === "status") {
      const why = run.reason ? ` (${run.reason})` : ""
      yield* reply(
        deps,
        source,
        ref,
        `PatchPlane run \`${run.id.slice(0, 8)}\` is \`${run.state}\`${why}. [Open in dashboard](${deps.dashboardUrl(run.id)})`,
      )
      return processed()
    }
    const action = controlAction(deps.orchestrator, run.id, actor, command)
    const result = yield* action.pipe(
      Effect.map((updated) => ({ ok: true as const, updated })),
      Effect.catchTag("NotAllowedNow", (error) =>
        Effect.succeed({ ok: false as const, message: error.message }),
      ),
      Effect.catchTag("StaleTransition", (error) =>
        Effect.succeed({ ok: false as const, message: error.message }),
      ),
    )
    if (!result.ok) {
      yield* reply(deps, source, ref, `Cannot ${command.kind}: ${result.message}.`)
      return refused(`${command.kind}: ${result.message}`)
    }
    const writes = deps.writes.forDelivery(source.deliveryId)
    yield* writes.acknowledge(ref, source.reactionTarget, run.id)
    const updated = result.updated
    // The status comment follows the run it describes (a retry is a new run).
    const commentId = run.statusCommentId
    if (commentId !== null && updated.id !== run.id)
      yield* Effect.promise(() =>
        setStatusComment(deps.db, {
          promptRequestId: request.id,
          workflowRunId: updated.id,
          commentId,
        }),
      )
    if (commentId !== null)
      yield* writes.updateStatusComment(
        ref,
        commentId,
        statusOf(updated, request.id, request.initiatorLogin ?? actor),
      )
    return processed(`${command.kind} → run ${updated.id} ${updated.state}`)
  })
