// Server-Sent Events frames named `run`:
//   GET /api/runs/:id/events   the run's state first, then each change (beside
//                              `runtime-event` frames, each a RuntimeEventRow)
//   GET /api/events            state changes of every run, for the list view
import { Schema } from "effect"
import { Id } from "../primitives.ts"
import { WorkflowRunState } from "../workflow-run.ts"

export const RunStateChange = Schema.Struct({
  runId: Id,
  state: WorkflowRunState,
  /** Sent with a run's first frame. */
  reason: Schema.optionalKey(Schema.NullOr(Schema.String)),
  /** Sent with each change. */
  repositoryId: Schema.optionalKey(Id),
})
