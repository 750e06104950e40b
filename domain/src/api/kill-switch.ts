// The kill switch: no new runs start while paused.
//   GET  /api/control          its state, for every open dashboard
//   POST /api/control/pause    admin; running runs finish unless `cancelRunning`
//   POST /api/control/resume   admin; queued runs start
import { Schema } from "effect"

export const ControlState = Schema.Struct({ paused: Schema.Boolean })

export const PauseBody = Schema.Struct({ cancelRunning: Schema.optionalKey(Schema.Boolean) })

export const Paused = Schema.Struct({
  paused: Schema.Literal(true),
  /** Runs cancelled because the body asked for it. */
  cancelled: Schema.Int,
})

export const Resumed = Schema.Struct({
  paused: Schema.Literal(false),
  /** Queued runs it started. */
  started: Schema.Int,
})
