// The runtime layer: the RuntimeAdapter contract (Pi or Claude Code in the
// sandbox), the model gateway that holds the provider key, and the
// recorder that persists sessions and their normalized events.
export * from "./runtime-adapter.ts"
export * from "./runtime-errors.ts"
export * from "./runtime-types.ts"
export type { PiRuntimeOptions } from "./pi-runtime.ts"
export { claudeCodeAdapterId, type ClaudeRuntimeOptions } from "./claude-runtime.ts"
export * from "./model-gateway.ts"
export type { RunBudget, RunTokenClaims } from "./gateway-token.ts"
export * from "./session-recorder.ts"
