// What runs cost, as the usage API answers it and the dashboard shows it:
// tokens and dollars from the model calls the gateway recorded.
import { Schema } from "effect"

/** One run's spend against its policy's budgets (GET /api/runs/:id/usage). */
export const RunUsage = Schema.Struct({
  inputTokens: Schema.Number,
  outputTokens: Schema.Number,
  costUsd: Schema.Number,
  calls: Schema.Number,
  /** The run's budget (its policy's `budgets`); null when the policy has none. */
  maxTokens: Schema.NullOr(Schema.Number),
  maxCostUsd: Schema.NullOr(Schema.Number),
})
export type RunUsage = typeof RunUsage.Type

export const UsageLine = Schema.Struct({
  /** The repository's full name, the initiator's login ("dashboard" for the dashboard), or the UTC day. */
  key: Schema.String,
  runs: Schema.Number,
  decidedRuns: Schema.Number,
  calls: Schema.Number,
  inputTokens: Schema.Number,
  outputTokens: Schema.Number,
  costUsd: Schema.Number,
  /** All spend in the line ÷ its decided runs (what one decision costs); null without one. */
  costPerDecidedRun: Schema.NullOr(Schema.Number),
})
export type UsageLine = typeof UsageLine.Type

/** GET /api/usage: per repository, per initiator and per UTC day. */
export const UsageReport = Schema.Struct({
  /** The window as ISO 8601 instants: `from` inclusive, `to` exclusive. */
  from: Schema.String,
  to: Schema.String,
  total: UsageLine,
  byRepository: Schema.Array(UsageLine),
  byInitiator: Schema.Array(UsageLine),
  byDay: Schema.Array(UsageLine),
})
export type UsageReport = typeof UsageReport.Type
