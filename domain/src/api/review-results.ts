// POST /api/runs/:id/reviews: what PatchPlane answers the companion Action
// (the body it posts is ReviewResultsBody).
import { Schema } from "effect"
import { CriterionResult, MergeDecisionState } from "../merge-decision.ts"
import { Id } from "../primitives.ts"
import { ReviewerName } from "../review-run.ts"

export const ReviewResultsAnswer = Schema.Struct({
  /** The round whose PR head was reviewed (may be a later round than the URL's run). */
  runId: Id,
  patchSetId: Id,
  reviewRuns: Schema.Array(
    Schema.Struct({
      id: Id,
      reviewer: ReviewerName,
      passed: Schema.Boolean,
      score: Schema.Number,
      /** An earlier report of this reviewer for the PatchSet was replaced. */
      replaced: Schema.Boolean,
    }),
  ),
  decision: Schema.Struct({
    id: Id,
    state: MergeDecisionState,
    weightedScore: Schema.Number,
    criteria: Schema.Array(CriterionResult),
  }),
})
