// Mirrors a run's state to GitHub: the one status comment (edited in place)
// and the `PatchPlane` check run on the PR head. Best effort and idempotent:
// it always writes the current state, so a retry or a replay converges.
import {
  type Database,
  listMergeDecisions,
  type MergeDecisionRow,
  type CiTriageRow,
  ciTriageOf,
  listPatchSets,
  listReviewRuns,
  listTransitions,
  loadRunContext,
} from "@patchplane/db"
import { Effect } from "effect"
import type { MergeDecisionState, WorkflowRunState } from "../domain/index.ts"
import type {
  CheckRunConclusion,
  CheckRunInput,
  GitHubShape,
  RepoRef,
} from "../github/github-service.ts"
import { checkRunTitle, renderCheckRunSummary } from "./check-run-summary.ts"
import { renderStatusComment } from "./status-comment.ts"

const completed = (conclusion: CheckRunConclusion) => ({
  status: "completed" as const,
  conclusion,
})

/** How a run reads as a required status check. */
export const checkRunStatus = (
  state: WorkflowRunState,
  decision: MergeDecisionState | undefined,
): Pick<CheckRunInput, "status" | "conclusion"> => {
  switch (state) {
    case "queued":
      return { status: "queued" }
    case "decided":
      if (decision === undefined) return completed("neutral") // nothing to merge
      if (decision === "rejected") return completed("failure")
      if (decision === "manual-review" || decision === "conflict")
        return completed("action_required")
      return completed("success")
    case "cancelled":
      return completed("neutral")
    case "failed":
      return completed("failure")
    case "timed_out":
      return completed("timed_out")
    case "awaiting_approval":
      return completed("action_required")
    default:
      return { status: "in_progress" }
  }
}

/**
 * The decision the run record stands on. Once the run has left `reviewing`,
 * a policy decision recorded later is not its decision (the endpoint now
 * refuses those; rows from before that may exist), so the check and the
 * comment never show a state the run does not have. Human decisions, which
 * follow the transition they settle, count.
 */
const decisionOfRecord = async (db: Database, runId: string) => {
  const decisions = await listMergeDecisions(db, runId)
  const left = (await listTransitions(db, runId)).findLast((t) => t.fromState === "reviewing")
  if (left === undefined) return decisions.at(-1)
  return decisions.filter((d) => d.decidedBy !== "policy" || d.createdAt <= left.createdAt).at(-1)
}

/** What the checklist does not show: a chain of rounds stopped by its bounds. */
const statusNotes = (decision: MergeDecisionRow | undefined): ReadonlyArray<string> => {
  if (decision?.decidedBy !== "iteration") return []
  const detail = decision.criteria.at(-1)?.detail
  return [`🔁 ${typeof detail === "string" ? detail : "stopped iterating"}; a human decides now.`]
}

/** CI failures that passed on their one re-run: recorded, not repaired. */
const flakyNotes = (triage: ReadonlyArray<CiTriageRow>): ReadonlyArray<string> =>
  triage
    .filter((t) => t.outcome === "flaky")
    .map(
      (t) =>
        `⚠️ CI "${t.workflowName}" failed on \`${t.headSha.slice(0, 7)}\` and passed on re-run: recorded as flaky, no tokens spent.`,
    )

export interface StatusPublisherOptions {
  readonly dashboardUrl: (runId: string) => string
  /** https://github.com/<owner>/<repo>/pull/<n> (or the GHES host). */
  readonly pullRequestUrl: (fullName: string, pullNumber: number) => string
}

export const makeRunStatusPublisher =
  (db: Database, github: GitHubShape, options: StatusPublisherOptions) =>
  async (runId: string): Promise<void> => {
    const context = await loadRunContext(db, runId)
    if (context === undefined) return
    const { run, request, repository, installation } = context
    const [owner = "", repo = ""] = repository.fullName.split("/")
    const ref: RepoRef = { installationId: installation.installationId, owner, repo }
    const dashboardUrl = options.dashboardUrl(run.id)
    const decision = await decisionOfRecord(db, run.id)
    const writes: Array<Effect.Effect<void, unknown>> = []
    if (run.statusCommentId !== null)
      writes.push(
        github.updateComment(
          ref,
          run.statusCommentId,
          renderStatusComment({
            runId: run.id,
            promptRequestId: request.id,
            state: run.state,
            reason: run.reason,
            initiator: request.initiatorLogin ?? "unknown",
            dashboardUrl,
            pullRequest:
              run.pullRequestNumber === null
                ? null
                : {
                    number: run.pullRequestNumber,
                    url: options.pullRequestUrl(repository.fullName, run.pullRequestNumber),
                  },
            decision: decision ?? null,
            notes: [...statusNotes(decision), ...flakyNotes(await ciTriageOf(db, [run.id]))],
          }),
        ),
      )
    if (run.checkRunId !== null) {
      const patchSet = (await listPatchSets(db, run.id)).at(-1)
      const reviews = patchSet === undefined ? [] : await listReviewRuns(db, patchSet.id)
      const summary = {
        runId: run.id,
        state: run.state,
        reason: run.reason,
        decision: decision ?? null,
        reviews,
        dashboardUrl,
      }
      writes.push(
        github.updateCheckRun(ref, run.checkRunId, {
          ...checkRunStatus(run.state, decision?.state),
          detailsUrl: dashboardUrl,
          output: { title: checkRunTitle(summary), summary: renderCheckRunSummary(summary) },
        }),
      )
    }
    await Effect.runPromise(Effect.all(writes, { concurrency: "unbounded", discard: true }))
  }
