// The execution layer: where generated code runs (local bubblewrap sandbox or
// Daytona), how a repository gets into it, and how the agent's work comes
// out as a PatchSet.
export * from "./execution-adapter.ts"
export * from "./execution-errors.ts"
export type * from "./sandbox-types.ts"
export type { LocalSandboxOptions } from "./local-sandbox.ts"
export type { DaytonaSandboxOptions } from "./daytona-sandbox.ts"
export * from "./checkout.ts"
export * from "./push-branch.ts"
export * from "./revert-merge.ts"
export * from "./patch-set-collector.ts"
export * from "./execution-records.ts"
export { dependencyFileKind } from "@patchplane/domain"
export { testsRun } from "./test-commands.ts"
