// GET /api/runs/:id/rounds: the chain of rounds a run is in (a review answered
// or CI repaired starts the next), CI triage on them, and whether an operator
// stopped the chain.
import { Schema } from "effect"
import { Id, IsoDate } from "../primitives.ts"
import { WorkflowRunState } from "../workflow-run.ts"

export const RunRounds = Schema.Struct({
  /** An operator stopped the chain: no review or CI failure starts another round. */
  stopped: Schema.NullOr(Schema.Struct({ by: Schema.String, at: IsoDate, runId: Id })),
  /** First round first. */
  rounds: Schema.Array(
    Schema.Struct({
      round: Schema.Int,
      id: Id,
      state: WorkflowRunState,
      reason: Schema.NullOr(Schema.String),
      /** What this round's model calls cost. */
      tokens: Schema.Number,
      costUsd: Schema.Number,
    }),
  ),
  ci: Schema.Array(
    Schema.Struct({
      runId: Id,
      workflow: Schema.String,
      headSha: Schema.String,
      outcome: Schema.String,
      repairRunId: Schema.NullOr(Id),
    }),
  ),
})
