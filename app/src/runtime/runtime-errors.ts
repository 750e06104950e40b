// Typed failures of the runtime layer, written for the person reading the
// run's status: what failed, in which session, and why.
import { Schema } from "effect"

export const RuntimeOperation = Schema.Literals([
  "start",
  "turn",
  "steer",
  "abort",
  "approval",
  "artifacts",
])
export type RuntimeOperation = typeof RuntimeOperation.Type

export class RuntimeError extends Schema.TaggedError<RuntimeError>()("RuntimeError", {
  operation: RuntimeOperation,
  sessionId: Schema.String,
  message: Schema.String,
}) {}

/** The failures of one session, each naming it. */
export const sessionFailure =
  (sessionId: string) =>
  (operation: RuntimeOperation, message: string): RuntimeError =>
    new RuntimeError({ operation, sessionId, message })
