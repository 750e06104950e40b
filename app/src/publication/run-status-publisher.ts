// Mirrors a run's state to GitHub: the one status comment (edited in place)
// and the `PatchPlane` check run. Best effort and idempotent: it always
// writes the current state, so a retry or a replay converges.
import { type Database, latestMergeDecision, loadRunContext } from "@patchplane/db"
import { Effect } from "effect"
import type { WorkflowRunState } from "../domain/index.ts"
import type {
  CheckRunConclusion,
  CheckRunInput,
  GitHubShape,
  RepoRef,
} from "../github/github-service.ts"
import { renderStatusComment } from "./status-comment.ts"

const completed = (conclusion: CheckRunConclusion) => ({
  status: "completed" as const,
  conclusion,
})

const conclusionFor = (
  state: WorkflowRunState,
  decision: string | undefined,
): Pick<CheckRunInput, "status" | "conclusion"> => {
  switch (state) {
    case "queued":
      return { status: "queued" }
    case "decided":
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

export const makeRunStatusPublisher =
  (db: Database, github: GitHubShape, dashboardUrl: (runId: string) => string) =>
  async (runId: string): Promise<void> => {
    const context = await loadRunContext(db, runId)
    if (context === undefined) return
    const { run, request, repository, installation } = context
    const [owner = "", repo = ""] = repository.fullName.split("/")
    const ref: RepoRef = { installationId: installation.installationId, owner, repo }
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
            dashboardUrl: dashboardUrl(run.id),
          }),
        ),
      )
    if (run.checkRunId !== null) {
      const decision = (await latestMergeDecision(db, run.id))?.state
      writes.push(
        github.updateCheckRun(ref, run.checkRunId, {
          ...conclusionFor(run.state, decision),
          detailsUrl: dashboardUrl(run.id),
          output: {
            title: `PatchPlane: ${run.state}`,
            summary: `Run \`${run.id}\` is \`${run.state}\`${run.reason ? `: ${run.reason}` : ""}.`,
          },
        }),
      )
    }
    await Effect.runPromise(Effect.all(writes, { concurrency: "unbounded", discard: true }))
  }
