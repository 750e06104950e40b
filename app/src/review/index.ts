// Review results: the companion Action's reports, verified by OIDC, stored as
// ReviewRuns and judged by the PolicyEvaluator into a MergeDecision.
export * from "./actions-claims.ts"
export * from "./oidc-verifier.ts"
export * from "./policy-evaluator.ts"
export * from "./record-review-results.ts"
export * from "./review-errors.ts"
export {
  duplicateReviewer,
  MAX_COMMENTS_CHARS,
  MAX_FINDINGS_PER_REVIEW,
  ReviewReport,
  ReviewResultsBody,
} from "@patchplane/domain"
export * from "./review-results-endpoint.ts"
