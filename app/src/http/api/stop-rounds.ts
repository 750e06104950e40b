// An operator stops a chain of rounds from the run page: no review or CI
// failure on the PR starts another round of it (intake checks the stop), the
// newest round gets a manual-review decision saying who stopped it, and a
// round still waiting for its review now waits for a human instead.
import {
  type Database,
  getWorkflowRun,
  recordMergeDecision,
  roundsAround,
  stopRounds,
  type WorkflowRunRow,
} from "@patchplane/db"
import { Effect } from "effect"
import { isTerminalState } from "@patchplane/domain"
import type { OrchestratorShape } from "../../orchestration/orchestrator.ts"
import { ApiError } from "./http-json.ts"

export const stopRoundsOf = async (
  deps: { readonly db: Database; readonly orchestrator: OrchestratorShape },
  runId: string,
  actor: string,
): Promise<WorkflowRunRow> => {
  if ((await getWorkflowRun(deps.db, runId)) === undefined)
    throw new ApiError(404, "not_found", `no run ${runId}`)
  const newestId = (await roundsAround(deps.db, runId)).at(-1) ?? runId
  const newest = await getWorkflowRun(deps.db, newestId)
  if (newest === undefined) throw new ApiError(404, "not_found", `no run ${newestId}`)
  await stopRounds(deps.db, { runId: newest.id, actor })
  const reason = `stopped iterating: stopped by ${actor}`
  // A cancelled or failed round has no decision to take; the stop still holds.
  if (!isTerminalState(newest.state) || newest.state === "decided")
    await recordMergeDecision(deps.db, {
      workflowRunId: newest.id,
      state: "manual-review",
      decidedBy: "iteration",
      detail: reason,
    })
  if (newest.state === "reviewing")
    await Effect.runPromise(
      deps.orchestrator.manualReview(newest.id, actor, reason).pipe(Effect.ignore),
    )
  return (await getWorkflowRun(deps.db, newest.id)) ?? newest
}
