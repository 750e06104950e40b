// Review results: the companion Action's reports, verified by OIDC, stored as
// ReviewRuns and judged by the PolicyEvaluator into a MergeDecision.
export * from "./actions-claims.ts"
export * from "./oidc-verifier.ts"
export * from "./policy-evaluator.ts"
export * from "./record-review-results.ts"
export * from "./review-errors.ts"
export * from "./review-results-body.ts"
export * from "./review-results-endpoint.ts"
