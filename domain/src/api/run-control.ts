// Starting and steering runs (reviewer role):
//   POST /api/prompts                start a run (the dashboard channel)
//   POST /api/runs/:id/{cancel|interrupt|approve|reject|steer|manual-review|retry|stop-rounds}
import { Schema } from "effect"
import { Id } from "../primitives.ts"
import { RunRow } from "./runs-list.ts"

export const StartRunBody = Schema.Struct({
  /** owner/name of a connected repository. */
  repository: Schema.String,
  prompt: Schema.String,
  /** Default: the repository's default branch. */
  ref: Schema.optionalKey(Schema.NonEmptyString),
})

export const StartedRun = Schema.Struct({ promptRequestId: Id, runId: Id })

/** cancel, reject and manual-review: why, for the record. */
export const ReasonBody = Schema.Struct({ reason: Schema.optionalKey(Schema.String) })

export const SteerBody = Schema.Struct({ message: Schema.NonEmptyString })

/** Every run action answers with the run as it is afterwards. */
export const RunActionAnswer = Schema.Struct({ run: RunRow })
