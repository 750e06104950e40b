// The normalized events every RuntimeAdapter emits (SPEC "RuntimeEvent").
// Nothing runtime-specific (Pi's own event names) gets past the adapter.
import { Schema } from "effect"
import { Id, JsonObject, NonNegativeInt, PositiveInt, Timestamp } from "./primitives.ts"

const Usage = Schema.Struct({
  inputTokens: NonNegativeInt,
  outputTokens: NonNegativeInt,
  costUsd: Schema.optionalKey(Schema.Number),
})

export const RuntimeEventPayload = Schema.Union([
  Schema.Struct({
    kind: Schema.Literal("session.started"),
    /** Which runtime runs the session, e.g. "pi". */
    adapter: Schema.String,
    /** The model it asks the gateway for. */
    model: Schema.optionalKey(Schema.String),
  }),
  Schema.Struct({ kind: Schema.Literal("turn.started"), turn: PositiveInt }),
  Schema.Struct({
    kind: Schema.Literal("tool.requested"),
    toolCallId: Schema.String,
    tool: Schema.String,
    args: JsonObject,
  }),
  Schema.Struct({
    kind: Schema.Literal("tool.completed"),
    toolCallId: Schema.String,
    tool: Schema.String,
    ok: Schema.Boolean,
    /** Result text, truncated to the adapter's cap. */
    output: Schema.String,
    truncated: Schema.Boolean,
  }),
  Schema.Struct({
    kind: Schema.Literal("approval.required"),
    approvalId: Schema.String,
    reason: Schema.String,
  }),
  Schema.Struct({
    kind: Schema.Literal("message"),
    role: Schema.Literals(["assistant", "user", "system"]),
    text: Schema.String,
  }),
  Schema.Struct({
    kind: Schema.Literal("artifact.emitted"),
    name: Schema.String,
    ref: Schema.String,
  }),
  Schema.Struct({
    kind: Schema.Literal("turn.completed"),
    turn: PositiveInt,
    usage: Schema.optionalKey(Usage),
  }),
  Schema.Struct({ kind: Schema.Literal("turn.failed"), turn: PositiveInt, error: Schema.String }),
  Schema.Struct({
    kind: Schema.Literal("session.terminated"),
    reason: Schema.Literals(["completed", "aborted", "budget_exhausted", "timeout", "error"]),
    detail: Schema.optionalKey(Schema.String),
  }),
])
export type RuntimeEventPayload = typeof RuntimeEventPayload.Type
export type RuntimeEventKind = RuntimeEventPayload["kind"]

export const runtimeEventKinds: ReadonlyArray<RuntimeEventKind> = [
  "session.started",
  "turn.started",
  "tool.requested",
  "tool.completed",
  "approval.required",
  "message",
  "artifact.emitted",
  "turn.completed",
  "turn.failed",
  "session.terminated",
]

export const RuntimeEvent = Schema.Struct({
  id: Id,
  workflowRunId: Id,
  runtimeSessionId: Schema.NullOr(Id),
  /** Gapless, strictly increasing per WorkflowRun, starting at 1: the replay order. */
  seq: PositiveInt,
  payload: RuntimeEventPayload,
  createdAt: Timestamp,
})
export type RuntimeEvent = typeof RuntimeEvent.Type
