// Persists a runtime session: the RuntimeSession row (execution state, not
// product truth: the WorkflowRun stays that) and its normalized events, in
// order. Each batch the adapter delivers is one appendRuntimeEvents
// transaction (gapless per-run seq); status follows the events: running after
// session.started, waiting on approval.required, and the end (status,
// endReason, endedAt) on session.terminated. Usage totals are the gateway's
// to write (model-calls.ts), from the provider's own figures.
import {
  appendRuntimeEvents,
  endRuntimeSession,
  insertRuntimeSession,
  type RuntimeEventRow,
  type RuntimeSessionRow,
  type RuntimeSessionEndStatus,
  setRuntimeSessionStatus,
} from "@patchplane/db"
import { Effect } from "effect"
import type { RuntimeEventPayload } from "@patchplane/domain"
import type { SandboxHandle } from "../execution/index.ts"
import { Database, type DatabaseError, queryDatabase, tryDatabase } from "../platform/database.ts"
import type { RuntimeEventSink, SessionBudget, SessionEndReason } from "./runtime-types.ts"

export interface OpenSessionRequest {
  readonly runId: string
  readonly adapter: string
  readonly sandbox: SandboxHandle
  readonly budget: SessionBudget
  /** PolicySpec.approvalMode, recorded with the session. */
  readonly approvalPolicy: string
  /** E.g. the sandbox profile's network policy ("none"). */
  readonly sandboxPolicy: string
}

/** Creates the RuntimeSession row (status "starting") for a session about to start. */
export const openRuntimeSession = (
  request: OpenSessionRequest,
): Effect.Effect<RuntimeSessionRow, DatabaseError, Database> =>
  queryDatabase("creating the RuntimeSession", (db) =>
    insertRuntimeSession(db, {
      workflowRunId: request.runId,
      adapter: request.adapter,
      sandboxId: request.sandbox.id,
      workspaceRoot: request.sandbox.workspaceRoot,
      approvalPolicy: request.approvalPolicy,
      sandboxPolicy: request.sandboxPolicy,
      timeoutSeconds: request.budget.runTimeoutSeconds,
      resume: {},
    }),
  )

/** How a session's end reason shows in its status. */
export const endStatusOf = (reason: SessionEndReason): RuntimeSessionEndStatus =>
  reason === "completed" ? "completed" : reason === "error" ? "failed" : "aborted"

export interface RecorderOptions {
  readonly runId: string
  readonly sessionId: string
  /** Called with the stored rows (seq assigned), e.g. to push them to live dashboards. */
  readonly onStored?: (rows: ReadonlyArray<RuntimeEventRow>) => void
}

/**
 * The sink to pass as StartSessionRequest.onEvent: stores each batch and
 * keeps the session row's status in step. A failure fails the sink, which
 * ends the session (the adapter's contract).
 */
export const sessionRecorder = (
  options: RecorderOptions,
): Effect.Effect<RuntimeEventSink, never, Database> =>
  Effect.gen(function* () {
    const { db } = yield* Database
    let status: "starting" | "running" | "waiting" = "starting"

    const sink = (events: ReadonlyArray<RuntimeEventPayload>) =>
      Effect.gen(function* () {
        const rows = yield* tryDatabase("storing runtime events", () =>
          appendRuntimeEvents(
            db,
            options.runId,
            events.map((event) => ({
              runtimeSessionId: options.sessionId,
              kind: event.kind,
              payload: { ...event },
            })),
          ),
        )
        options.onStored?.(rows)
        const terminated = events.find(
          (event): event is Extract<RuntimeEventPayload, { kind: "session.terminated" }> =>
            event.kind === "session.terminated",
        )
        if (terminated !== undefined) {
          yield* tryDatabase("ending the RuntimeSession", () =>
            endRuntimeSession(db, options.sessionId, {
              status: endStatusOf(terminated.reason),
              endReason: terminated.reason,
            }),
          )
          return
        }
        const last = events.at(-1)
        const next =
          last?.kind === "approval.required"
            ? "waiting"
            : events.some((event) => event.kind !== "approval.required")
              ? "running"
              : status
        if (next !== status) {
          status = next
          yield* tryDatabase("updating the RuntimeSession", () =>
            setRuntimeSessionStatus(db, options.sessionId, next),
          )
        }
      })
    return sink
  })
