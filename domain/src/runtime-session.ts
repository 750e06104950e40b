// Execution state of one agent runtime inside one sandbox. Not product truth:
// the WorkflowRun is.
import { Schema } from "effect"
import { Id, JsonObject, PositiveInt, Timestamp } from "./primitives.ts"

export const RuntimeSessionStatus = Schema.Literals([
  "starting",
  "running",
  "waiting",
  "completed",
  "failed",
  "aborted",
])
export type RuntimeSessionStatus = typeof RuntimeSessionStatus.Type

export const RuntimeSession = Schema.Struct({
  id: Id,
  workflowRunId: Id,
  /** Which RuntimeAdapter drives it, e.g. "pi". */
  adapter: Schema.NonEmptyString,
  /** The ExecutionAdapter's sandbox id (local or Daytona). */
  sandboxId: Schema.NullOr(Schema.String),
  workspaceRoot: Schema.NullOr(Schema.String),
  approvalPolicy: Schema.NonEmptyString,
  sandboxPolicy: Schema.NonEmptyString,
  timeoutSeconds: PositiveInt,
  status: RuntimeSessionStatus,
  resume: JsonObject,
  startedAt: Timestamp,
  endedAt: Schema.NullOr(Timestamp),
})
export type RuntimeSession = typeof RuntimeSession.Type
