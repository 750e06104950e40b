// The body the companion Action posts to /api/runs/:id/reviews: the ReviewRuns
// of one PatchSet at one commit. Limits keep a report (and its row) bounded.
import { Schema } from "effect"
import { Id, UnitInterval } from "./primitives.ts"
import { Finding, ReviewerName } from "./review-run.ts"

export const MAX_FINDINGS_PER_REVIEW = 500
export const MAX_COMMENTS_CHARS = 20_000

export const ReviewReport = Schema.Struct({
  reviewer: ReviewerName,
  passed: Schema.Boolean,
  score: UnitInterval,
  comments: Schema.String.check(Schema.isMaxLength(MAX_COMMENTS_CHARS)),
  findings: Schema.Array(Finding).check(Schema.isMaxLength(MAX_FINDINGS_PER_REVIEW)),
  /** Where the full log is, e.g. the workflow run's URL. */
  logRef: Schema.optionalKey(Schema.NullOr(Schema.String)),
  artifactRefs: Schema.optionalKey(Schema.Array(Schema.String).check(Schema.isMaxLength(50))),
})
export type ReviewReport = typeof ReviewReport.Type

export const ReviewResultsBody = Schema.Struct({
  /** The PatchSet reviewed; without it, the run's newest one. */
  patchSetId: Schema.optionalKey(Id),
  /** The commit the reviewers ran on (the pull request's head). */
  headSha: Schema.String.check(
    Schema.isPattern(/^[0-9a-f]{40}([0-9a-f]{24})?$/, { expected: "a full commit SHA" }),
  ),
  reviewRuns: Schema.Array(ReviewReport).check(Schema.isMinLength(1), Schema.isMaxLength(4)),
})
export type ReviewResultsBody = typeof ReviewResultsBody.Type

/** The index of the first report that repeats a reviewer, if any. */
export const duplicateReviewer = (body: ReviewResultsBody): number | null => {
  const seen = new Set<string>()
  for (const [index, report] of body.reviewRuns.entries()) {
    if (seen.has(report.reviewer)) return index
    seen.add(report.reviewer)
  }
  return null
}
