// Typed failures of the execution layer. Messages are written for the person
// reading the run's status: what failed, where, and what to do about it.
import { Schema } from "effect"

/** The backend cannot run sandboxes at all (bwrap missing, Daytona not configured). */
export class SandboxUnavailableError extends Schema.TaggedError<SandboxUnavailableError>()(
  "SandboxUnavailableError",
  {
    backend: Schema.Literals(["local", "daytona"]),
    message: Schema.String,
  },
) {}

/** A path that is not inside the sandbox's workspace root. */
export class WorkspacePathError extends Schema.TaggedError<WorkspacePathError>()(
  "WorkspacePathError",
  {
    path: Schema.String,
    message: Schema.String,
  },
) {}

export const ExecutionOperation = Schema.Literals([
  "create",
  "exec",
  "readFile",
  "writeFile",
  "upload",
  "download",
  "checkout",
  "push",
  "destroy",
  "collect",
  "spawn",
])
export type ExecutionOperation = typeof ExecutionOperation.Type

export class ExecutionError extends Schema.TaggedError<ExecutionError>()("ExecutionError", {
  operation: ExecutionOperation,
  /** Null when the sandbox does not exist (yet). */
  sandboxId: Schema.NullOr(Schema.String),
  message: Schema.String,
}) {}

export const errorText = (error: unknown): string =>
  error instanceof Error ? error.message : String(error)

/** The backend cannot do this yet (e.g. Daytona has no interactive processes yet). */
export class OperationUnsupportedError extends Schema.TaggedError<OperationUnsupportedError>()(
  "OperationUnsupportedError",
  {
    backend: Schema.Literals(["local", "daytona"]),
    operation: ExecutionOperation,
    message: Schema.String,
  },
) {}
