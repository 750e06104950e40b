// The HTTP API's request and response shapes, one definition for the server
// that answers and the dashboard that reads. Each Schema's Type is what the
// server builds an answer from (dates as Date); its Encoded side is the JSON
// on the wire (dates as ISO strings), which is what clients read.
export * from "./api-error.ts"
export * from "./session.ts"
export * from "./kill-switch.ts"
export * from "./runs-list.ts"
export * from "./run-control.ts"
export * from "./run-detail.ts"
export * from "./run-stream.ts"
export * from "./run-context.ts"
export * from "./rounds.ts"
export * from "./usage.ts"
export * from "./patch-set-diff.ts"
export * from "./provenance-graph.ts"
export * from "./repositories.ts"
export * from "./deliveries.ts"
export * from "./github-app-manifest.ts"
export * from "./review-results.ts"
