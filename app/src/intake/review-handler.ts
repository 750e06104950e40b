// A review that requests changes on a PatchPlane PR starts the next round: a
// follow-up run on the PR's branch whose context holds the review and its
// inline comments, and whose instruction is to address it. Only a writer's
// review counts (never a bot's, never on someone else's PR), only while
// policy iterate.onReview is on, and only within the round bounds; past
// them the chain stops with a manual-review decision and a human decides.
import {
  latestMergeDecision,
  linkRound,
  recordMergeDecision,
  roundChain,
  runModelUsage,
  type WorkflowRunRow,
} from "@patchplane/db"
import { Effect } from "effect"
import type { RepoRef } from "../github/github-service.ts"
import {
  type CommandSource,
  type IntakeDeps,
  type Outcome,
  reply,
  startRun,
} from "./command-handler.ts"
import { latestRound, patchPlanePullRequest } from "./patchplane-pull-request.ts"
import { nextRound } from "./round-bounds.ts"
import type { PullRequestReviewSubmitted } from "./webhook-payloads.ts"

const WRITERS = new Set(["admin", "maintain", "write"])

const ignored = (note: string): Outcome => ({ outcome: "ignored", note })

/** What the rounds so far spent and scored, for the bounds. */
const chainFacts = async (deps: IntakeDeps, previous: WorkflowRunRow) => {
  const chain = await roundChain(deps.db, previous.id)
  const usage = await Promise.all(chain.map((id) => runModelUsage(deps.db, id)))
  const decisions = await Promise.all(chain.map((id) => latestMergeDecision(deps.db, id)))
  return {
    rounds: chain.length,
    tokens: usage.reduce((sum, u) => sum + u.inputTokens + u.outputTokens, 0),
    costUsd: usage.reduce((sum, u) => sum + u.costUsd, 0),
    scores: decisions.map((d) =>
      d === undefined || d.decidedBy === "iteration" ? null : d.weightedScore,
    ),
  }
}

/**
 * The chain stops: the newest round gets a manual-review decision naming the
 * reason (its status comment says so), and the PR is told a human decides.
 */
export const stopChain = (
  deps: IntakeDeps,
  source: CommandSource,
  ref: RepoRef,
  run: WorkflowRunRow,
  reason: string,
) =>
  Effect.gen(function* () {
    yield* Effect.promise(() =>
      recordMergeDecision(deps.db, {
        workflowRunId: run.id,
        state: "manual-review",
        decidedBy: "iteration",
        detail: `stopped iterating: ${reason}`,
      }),
    )
    // A run still waiting for its review asks a human now (the workflow wakes and follows).
    if (run.state === "reviewing")
      yield* deps.orchestrator
        .manualReview(run.id, "patchplane", `stopped iterating: ${reason}`)
        .pipe(Effect.ignore)
    yield* reply(
      deps,
      source,
      ref,
      `PatchPlane stopped iterating on this pull request: ${reason}. A human decides now ([run \`${run.id.slice(0, 8)}\`](${deps.dashboardUrl(run.id)})).`,
    )
    return { outcome: "processed", note: `chain stopped: ${reason}` } satisfies Outcome
  })

export const handleReviewSubmitted = (
  deps: IntakeDeps,
  deliveryId: string,
  p: typeof PullRequestReviewSubmitted.Type,
) =>
  Effect.gen(function* () {
    const reviewer = p.review.user ?? p.sender
    if (p.review.state !== "changes_requested")
      return ignored(`a ${p.review.state} review starts no round`)
    if (p.sender.type === "Bot" || reviewer.type === "Bot") return ignored("review by a bot")
    if (p.pull_request.state !== "open") return ignored("the pull request is not open")
    const number = p.pull_request.number
    const target = yield* patchPlanePullRequest(deps, p, number)
    if ("ignored" in target) return ignored(target.ignored)
    const { repository, binding, ref } = target
    const permission = yield* deps.github.repoPermission(ref, reviewer.login)
    if (!WRITERS.has(permission))
      return ignored(
        `@${reviewer.login} has ${permission} permission: their review starts no round`,
      )
    const policy = yield* Effect.promise(() => deps.policyFor(repository, ref.installationId))
    if (!policy.iterate.onReview)
      return ignored("iterate.onReview is off: `/patchplane` on the PR starts a round")

    const round = yield* latestRound(deps, repository.id, number, binding.workflowRunId)
    if ("ignored" in round) return ignored(round.ignored)
    const { previous } = round
    const facts = yield* Effect.promise(() => chainFacts(deps, previous))
    const source: CommandSource = {
      deliveryId,
      channel: "pr_review",
      installationId: ref.installationId,
      repository: p.repository,
      sender: reviewer,
      text: p.review.body ?? "",
      issueNumber: number,
      commentId: null,
      reactionTarget: { kind: "issue", issueNumber: number },
      pullRequest: {
        number,
        headSha: p.pull_request.head.sha,
        headRef: p.pull_request.head.ref,
        headRepoFullName: p.pull_request.head.repo?.full_name ?? null,
      },
    }
    const verdict = nextRound({
      ...facts,
      maxRounds: policy.iterate.maxRounds,
      maxTokens: policy.budgets.maxTokens,
      maxCostUsd: policy.budgets.maxCostUsd,
    })
    if (!verdict.go) return yield* stopChain(deps, source, ref, previous, verdict.reason)
    return yield* startRun(
      deps,
      source,
      ref,
      repository,
      `Address the changes @${reviewer.login} requested in review ${p.review.id} on this pull request (round ${verdict.round} of at most ${policy.iterate.maxRounds}).`,
      undefined,
      (run) =>
        linkRound(deps.db, {
          previousRunId: previous.id,
          runId: run.id,
          round: verdict.round,
          trigger: "review",
          detail: { reviewId: p.review.id, reviewer: reviewer.login },
        }),
    )
  })
