import { Schema } from "effect"
import { Id, Timestamp, UnitInterval } from "./primitives.ts"

export const MergeDecisionState = Schema.Literals([
  "draft-pr",
  "ready-for-review",
  "accepted",
  "rejected",
  "conflict",
  "manual-review",
])
export type MergeDecisionState = typeof MergeDecisionState.Type

/** Per-criterion outcome, so the decision explains itself. */
export const CriterionResult = Schema.Struct({
  criterion: Schema.String,
  passed: Schema.Boolean,
  detail: Schema.String,
})
export type CriterionResult = typeof CriterionResult.Type

export const MergeDecision = Schema.Struct({
  id: Id,
  workflowRunId: Id,
  policyBundleId: Schema.NullOr(Id),
  weightedScore: UnitInterval,
  criteria: Schema.Array(CriterionResult),
  state: MergeDecisionState,
  /** Who decided: "policy" or the operator's id/login for an override. */
  decidedBy: Schema.String,
  issueNumber: Schema.NullOr(Schema.Int),
  pullRequestNumber: Schema.NullOr(Schema.Int),
  createdAt: Timestamp,
})
export type MergeDecision = typeof MergeDecision.Type
