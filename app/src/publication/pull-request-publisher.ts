// Publication of a run's PatchSet on GitHub: the draft PR for the pushed
// branch, the `PatchPlane` check run on its head, and — once decided — the
// PR marked ready for review when the policy or a human passed it. Every
// write is idempotent by stored ids: a retried step finds the PR and check
// run it made (by branch, by external id) and updates instead of duplicating.
import {
  bindPullRequest,
  type Database,
  getPatchSet,
  getPullRequestBinding,
  getWorkflowRun,
  latestMergeDecision,
  markPullRequestBindingReady,
  recordMergeDecision,
} from "@patchplane/db"
import { Effect } from "effect"
import { CHECK_RUN_NAME, type DependencyChange, type FileChange } from "@patchplane/domain"
import type { GitHubShape, PullRequestInfo, RepoRef } from "../github/github-service.ts"
import { fitBody } from "./github-limits.ts"
import { type PlannedRun, repoRefOf } from "./planned-run.ts"
import { pullRequestTitle, renderPullRequestBody } from "./pull-request-body.ts"

/**
 * GitHub's 422 when the repository's plan has no draft pull requests
 * ("Draft pull requests are not supported in this repository.").
 */
const draftsUnavailable = (error: unknown) =>
  error instanceof Error && /Draft pull requests are not supported/i.test(error.message)

/**
 * GitHub answers 422 with `head` invalid when a PR is opened for a branch a
 * push created moments ago and its branch list has not caught up; only that
 * refusal is retried, a little later, never any other 422.
 */
const headNotYetVisible = (error: unknown) =>
  error instanceof Error &&
  /Validation Failed/.test(error.message) &&
  /"field":\s*"head"[^}]*"code":\s*"invalid"|"code":\s*"invalid"[^}]*"field":\s*"head"/.test(
    error.message,
  )

const HEAD_RETRY_DELAYS_MS = [300, 600, 1200, 2400, 4800, 9600]

export const DRAFTS_UNAVAILABLE_NOTE =
  "Draft pull requests are not available in this repository (a private repository on GitHub Free), so this PR was opened ready for review. Wait for the `PatchPlane` check: it carries the decision."

const readyNote = `> [!NOTE]\n> ${DRAFTS_UNAVAILABLE_NOTE}\n\n`

export interface PublishedPatch {
  readonly runId: string
  readonly patchSetId: string
  readonly pushed?: {
    readonly branch: string
    readonly commit: string
    readonly base: string
    readonly pullRequest: number | null
  }
  readonly conflict?: string
}

export interface PullRequestPublisherDeps {
  readonly db: Database
  readonly github: GitHubShape
  readonly dashboardUrl: (runId: string) => string
}

const github = <A>(effect: Effect.Effect<A, { readonly message: string }>) =>
  Effect.runPromise(effect.pipe(Effect.mapError((error) => new Error(`GitHub: ${error.message}`))))

export const makePullRequestPublisher = (deps: PullRequestPublisherDeps) => {
  const { db } = deps

  /** The PR for the pushed branch: the PatchPlane PR it extends, one left by a cut-off try, or a new draft. */
  const pullRequestFor = async (
    plan: PlannedRun,
    ref: RepoRef,
    patch: PublishedPatch,
    pushed: NonNullable<PublishedPatch["pushed"]>,
  ): Promise<PullRequestInfo> => {
    if (pushed.pullRequest !== null)
      return github(deps.github.getPullRequest(ref, pushed.pullRequest))
    const patchSet = await getPatchSet(db, patch.patchSetId)
    if (patchSet === undefined) throw new Error(`PatchSet ${patch.patchSetId} does not exist`)
    const title = pullRequestTitle(plan.prompt)
    const body = renderPullRequestBody({
      runId: patch.runId,
      promptRequestId: plan.promptRequestId,
      runtimeSessionId: patchSet.runtimeSessionId,
      patchSetId: patchSet.id,
      prompt: plan.prompt,
      initiator: plan.initiator,
      issueNumber: plan.sourcePullRequest === null ? plan.issueNumber : null,
      dashboardUrl: deps.dashboardUrl(patch.runId),
      files: patchSet.files as unknown as ReadonlyArray<FileChange>,
      summary: {
        filesChanged: patchSet.diffSummary.filesChanged ?? patchSet.files.length,
        additions: patchSet.diffSummary.additions ?? 0,
        deletions: patchSet.diffSummary.deletions ?? 0,
      },
      dependencyChanges: patchSet.dependencyChanges as unknown as ReadonlyArray<DependencyChange>,
      testsRun: patchSet.testsRun,
    })
    const dashboardUrl = deps.dashboardUrl(patch.runId)
    const existing = await github(deps.github.findOpenPullRequest(ref, pushed.branch))
    if (existing !== null) {
      const fitted = fitBody(existing.draft ? body : readyNote + body, dashboardUrl)
      await github(deps.github.updatePullRequest(ref, existing.number, { title, body: fitted }))
      return existing
    }
    const create = async (draft: boolean): Promise<PullRequestInfo> => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await github(
            deps.github.createPullRequest(ref, {
              title,
              body: fitBody(draft ? body : readyNote + body, dashboardUrl),
              head: pushed.branch,
              base: pushed.base,
              draft,
            }),
          )
        } catch (error) {
          const delay = HEAD_RETRY_DELAYS_MS[attempt]
          if (delay === undefined || !headNotYetVisible(error)) throw error
          await new Promise((resolve) => setTimeout(resolve, delay))
        }
      }
    }
    try {
      return await create(true)
    } catch (error) {
      if (!draftsUnavailable(error)) throw error
      // Private repositories on GitHub Free have no drafts: the PR opens ready
      // for review, and the PatchPlane check (the decision) gates the merge.
      return create(false)
    }
  }

  /** `plan` is the run's, as the workflow resolved it: nothing of it is read again. */
  const publish = async (patch: PublishedPatch, plan: PlannedRun): Promise<void> => {
    if (patch.conflict !== undefined) {
      await recordMergeDecision(db, {
        workflowRunId: patch.runId,
        state: "conflict",
        decidedBy: "publication",
        detail: patch.conflict,
      })
      return
    }
    const pushed = patch.pushed
    if (pushed === undefined) return
    const bound = await getPullRequestBinding(db, patch.runId)
    if (bound !== undefined && bound.headSha === pushed.commit) return // done before a restart
    const ref = repoRefOf(plan)
    // The check run intake made on the head the request came from (read now:
    // intake stores it after the run is queued).
    const previous = (await getWorkflowRun(db, patch.runId))?.checkRunId ?? null
    const pr = await pullRequestFor(plan, ref, patch, pushed)
    const dashboardUrl = deps.dashboardUrl(patch.runId)
    // The check run follows the commits: one on the pushed head, and the
    // previous one marked superseded.
    const check =
      (await github(
        deps.github.findCheckRun(ref, {
          headSha: pushed.commit,
          name: CHECK_RUN_NAME,
          externalId: patch.runId,
        }),
      )) ??
      (await github(
        deps.github.createCheckRun(ref, {
          name: CHECK_RUN_NAME,
          headSha: pushed.commit,
          status: "in_progress",
          externalId: patch.runId,
          detailsUrl: dashboardUrl,
          output: {
            title: "Reviewing",
            summary: `Run \`${patch.runId}\` pushed \`${pushed.commit.slice(0, 12)}\` to #${pr.number}; the reviewers are on it.`,
          },
        }),
      ))
    if (previous !== null && previous !== check.id)
      await github(
        deps.github.updateCheckRun(ref, previous, {
          status: "completed",
          conclusion: "neutral",
          output: {
            title: `Continued in #${pr.number}`,
            summary: `PatchPlane pushed its changes as \`${pushed.commit.slice(0, 12)}\` to #${pr.number}; the \`${CHECK_RUN_NAME}\` check there carries the decision.`,
          },
        }),
      )
    await bindPullRequest(db, {
      repositoryId: plan.repositoryId,
      workflowRunId: patch.runId,
      pullRequestNumber: pr.number,
      headBranch: pushed.branch,
      baseBranch: pr.baseRef,
      headSha: pushed.commit,
      draft: pr.draft,
      checkRunId: check.id,
    })
  }

  /** Ready for review when the policy passed (or a human accepted); humans still merge. */
  const publishDecision = async (plan: PlannedRun): Promise<void> => {
    const runId = plan.runId
    const [decision, binding] = await Promise.all([
      latestMergeDecision(db, runId),
      getPullRequestBinding(db, runId),
    ])
    if (decision === undefined || binding === undefined || !binding.draft) return
    if (decision.state !== "ready-for-review" && decision.state !== "accepted") return
    const ref = repoRefOf(plan)
    const pr = await github(deps.github.getPullRequest(ref, binding.pullRequestNumber))
    if (pr.draft) await github(deps.github.markReadyForReview(ref, pr.nodeId))
    await markPullRequestBindingReady(db, runId)
  }

  return { publish, publishDecision }
}
