// An in-memory RuntimeAdapter that plays scripted turns: for workflow tests
// that need a runtime without a sandbox, a process or a model. It keeps the
// contract's guarantees (session.started first, session.terminated last and
// once, events through the caller's sink in order) so code tested against it
// behaves the same against Pi. A test double: kept out of src/.
import { Deferred, Effect, Layer, Option } from "effect"
import type { RuntimeEventPayload } from "@patchplane/domain"
import { RuntimeAdapter } from "../../src/runtime/runtime-adapter.ts"
import { RuntimeError } from "../../src/runtime/runtime-errors.ts"
import type {
  RuntimeAdapterShape,
  RuntimeArtifact,
  RuntimeEventSink,
  RuntimeSessionHandle,
  SessionEnd,
  SessionEndReason,
  StartSessionRequest,
  TurnOutcome,
  TurnStatus,
} from "../../src/runtime/runtime-types.ts"

export interface ScriptedTurn {
  /** Emitted in order when the turn runs (write the turn numbers you expect). */
  readonly events: ReadonlyArray<RuntimeEventPayload>
  /**
   * Default: "failed" when the last turn event is turn.failed, else
   * "completed". "budget_exhausted", "timeout" and "error" end the session
   * with that reason, as the Pi adapter does.
   */
  readonly status?: TurnStatus
  /** Keeps the turn running this long after its events (so tests can steer or abort it). */
  readonly durationMs?: number
}

export interface ScriptedRuntimeOptions {
  /** One entry per runTurn call, in order; a bare array is a turn's events. */
  readonly turns?: ReadonlyArray<ScriptedTurn | ReadonlyArray<RuntimeEventPayload>>
  /** Adapter id recorded on sessions (default "scripted"). */
  readonly id?: string
  readonly artifacts?: ReadonlyArray<RuntimeArtifact>
  readonly onStart?: (request: StartSessionRequest) => void
  readonly onPrompt?: (prompt: string, session: RuntimeSessionHandle) => void
  readonly onSteer?: (message: string, session: RuntimeSessionHandle) => void
  readonly onAbort?: (session: RuntimeSessionHandle) => void
  readonly onApproval?: (approvalId: string, approved: boolean) => void
  readonly onTerminate?: (end: SessionEnd, session: RuntimeSessionHandle) => void
}

interface ScriptedSession {
  readonly handle: RuntimeSessionHandle
  readonly sink: RuntimeEventSink
  readonly emitted: Array<RuntimeEventPayload>
  readonly ended: Deferred.Deferred<SessionEnd>
  running: { readonly aborted: Deferred.Deferred<void> } | null
  terminating: boolean
  turns: number
}

const endingStatuses = new Set<TurnStatus>(["budget_exhausted", "timeout", "error"])

export const makeScriptedRuntime = (options: ScriptedRuntimeOptions = {}): RuntimeAdapterShape => {
  const queue = [...(options.turns ?? [])].map((turn) =>
    Array.isArray(turn)
      ? { events: turn as ReadonlyArray<RuntimeEventPayload> }
      : (turn as ScriptedTurn),
  )
  const sessions = new Map<string, ScriptedSession>()
  const adapterId = options.id ?? "scripted"

  const lookup = (operation: RuntimeError["operation"], handle: RuntimeSessionHandle) => {
    const session = sessions.get(handle.id)
    return session === undefined
      ? Effect.fail(
          new RuntimeError({ operation, sessionId: handle.id, message: "no such session" }),
        )
      : Effect.succeed(session)
  }

  const emit = (session: ScriptedSession, events: ReadonlyArray<RuntimeEventPayload>) =>
    Effect.suspend(() => {
      session.emitted.push(...events)
      return events.length === 0 ? Effect.void : session.sink(events)
    })

  const terminate = (
    session: ScriptedSession,
    reason: SessionEndReason,
    detail?: string,
  ): Effect.Effect<SessionEnd> =>
    Effect.suspend(() => {
      if (session.terminating) return Deferred.await(session.ended)
      session.terminating = true
      const end: SessionEnd = { reason, detail: detail ?? null, turns: session.turns }
      return emit(session, [
        { kind: "session.terminated", reason, ...(detail === undefined ? {} : { detail }) },
      ]).pipe(
        Effect.ignore,
        Effect.andThen(Deferred.succeed(session.ended, end)),
        Effect.andThen(Effect.sync(() => options.onTerminate?.(end, session.handle))),
        Effect.as(end),
      )
    })

  const runTurn = (session: ScriptedSession, prompt: string) =>
    Effect.gen(function* () {
      const fail = (message: string) =>
        new RuntimeError({ operation: "turn", sessionId: session.handle.id, message })
      if (session.terminating) return yield* fail("the session has ended")
      if (session.running !== null) return yield* fail("a turn is already running")
      const turn = queue.shift()
      if (turn === undefined) return yield* fail("the scripted runtime has no turns left")
      options.onPrompt?.(prompt, session.handle)
      const aborted = yield* Deferred.make<void>()
      session.running = { aborted }
      const before = session.emitted.length
      // As Pi reports it: the prompt right after the turn it starts.
      const promptEvent: RuntimeEventPayload = { kind: "message", role: "user", text: prompt }
      const [first, ...rest] = turn.events
      const events =
        first?.kind === "turn.started"
          ? [first, promptEvent, ...rest]
          : [promptEvent, ...turn.events]
      yield* emit(session, events).pipe(
        Effect.mapError((error) => fail(`the event sink failed: ${String(error)}`)),
      )
      const wasAborted =
        turn.durationMs === undefined
          ? false
          : Option.isSome(
              yield* Deferred.await(aborted).pipe(Effect.timeoutOption(turn.durationMs)),
            )
      session.running = null
      const mine = session.emitted.slice(before)
      const turnEvents = mine.filter(
        (event) => event.kind === "turn.completed" || event.kind === "turn.failed",
      )
      session.turns += mine.filter((event) => event.kind === "turn.started").length
      const last = turnEvents.at(-1)
      const status: TurnStatus = wasAborted
        ? "aborted"
        : (turn.status ?? (last?.kind === "turn.failed" ? "failed" : "completed"))
      const lastMessage =
        mine
          .filter(
            (event): event is Extract<RuntimeEventPayload, { kind: "message" }> =>
              event.kind === "message" && event.role === "assistant",
          )
          .at(-1)?.text ?? null
      const outcome: TurnOutcome = {
        status,
        turns: mine.filter((event) => event.kind === "turn.started").length,
        lastMessage,
        error: last?.kind === "turn.failed" ? last.error : null,
      }
      if (endingStatuses.has(status))
        yield* terminate(session, status as SessionEndReason, outcome.error ?? undefined)
      return outcome
    })

  return {
    id: adapterId,
    startSession: (request) =>
      Effect.gen(function* () {
        options.onStart?.(request)
        const handle: RuntimeSessionHandle = {
          id: request.sessionId,
          runId: request.runId,
          adapter: adapterId,
          sandboxId: request.sandbox.id,
          startedAt: new Date(),
        }
        const session: ScriptedSession = {
          handle,
          sink: request.onEvent,
          emitted: [],
          ended: yield* Deferred.make<SessionEnd>(),
          running: null,
          terminating: false,
          turns: 0,
        }
        sessions.set(handle.id, session)
        yield* Effect.addFinalizer(() =>
          terminate(session, "aborted", "the run stopped the session").pipe(Effect.asVoid),
        )
        yield* emit(session, [{ kind: "session.started", adapter: adapterId }]).pipe(
          Effect.mapError(
            (error) =>
              new RuntimeError({
                operation: "start",
                sessionId: handle.id,
                message: `the event sink failed: ${String(error)}`,
              }),
          ),
        )
        return handle
      }),
    runTurn: (handle, prompt) => Effect.flatMap(lookup("turn", handle), (s) => runTurn(s, prompt)),
    steer: (handle, message) =>
      Effect.flatMap(lookup("steer", handle), (session) =>
        session.running === null
          ? Effect.fail(
              new RuntimeError({
                operation: "steer",
                sessionId: handle.id,
                message: "the agent is not running a turn",
              }),
            )
          : Effect.sync(() => options.onSteer?.(message, handle)).pipe(
              Effect.andThen(emit(session, [{ kind: "message", role: "user", text: message }])),
              Effect.mapError(
                (error) =>
                  new RuntimeError({
                    operation: "steer",
                    sessionId: handle.id,
                    message: String(error),
                  }),
              ),
            ),
      ),
    abort: (handle) =>
      Effect.flatMap(lookup("abort", handle), (session) =>
        session.running === null
          ? Effect.void
          : Effect.sync(() => options.onAbort?.(handle)).pipe(
              Effect.andThen(Deferred.succeed(session.running.aborted, undefined)),
              Effect.asVoid,
            ),
      ),
    respondToApproval: (handle, approvalId, decision) =>
      Effect.flatMap(lookup("approval", handle), (session) =>
        session.emitted.some(
          (event) => event.kind === "approval.required" && event.approvalId === approvalId,
        )
          ? Effect.sync(() => options.onApproval?.(approvalId, decision.approved))
          : Effect.fail(
              new RuntimeError({
                operation: "approval",
                sessionId: handle.id,
                message: `no pending approval ${approvalId}`,
              }),
            ),
      ),
    collectArtifacts: (handle) =>
      Effect.map(lookup("artifacts", handle), (session) => {
        const requested = session.emitted.filter(
          (event): event is Extract<RuntimeEventPayload, { kind: "tool.requested" }> =>
            event.kind === "tool.requested",
        )
        return {
          artifacts: options.artifacts ?? [],
          toolsUsed: [...new Set(requested.map((event) => event.tool))],
          commands: requested.flatMap((event) =>
            event.tool === "bash" && typeof event.args.command === "string"
              ? [event.args.command]
              : [],
          ),
        }
      }),
    terminate: (handle, reason = "completed", detail) =>
      Effect.suspend(() => {
        const session = sessions.get(handle.id)
        return session === undefined
          ? Effect.succeed({ reason, detail: detail ?? null, turns: 0 })
          : terminate(session, reason, detail)
      }),
  }
}

/** The RuntimeAdapter service as scripted turns in memory: no sandbox, no process, no model. */
export const scriptedRuntimeLayer = (options: ScriptedRuntimeOptions = {}) =>
  Layer.succeed(RuntimeAdapter, makeScriptedRuntime(options))
