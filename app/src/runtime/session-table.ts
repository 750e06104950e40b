// The live sessions of one runtime adapter in this process, and what every
// adapter does with them alike: find one by its handle, keep it until the
// run's scope closes (ending it then, if it is still open), and pass turns,
// steering, aborts, artifacts and termination on to it. Pi and Claude Code
// differ in how a session talks to its process, not in this.
import { Effect, type Scope } from "effect"
import { RuntimeError } from "./runtime-errors.ts"
import type {
  RuntimeAdapterShape,
  RuntimeSessionHandle,
  SessionArtifacts,
  SessionEnd,
  SessionEndReason,
  TurnOutcome,
} from "./runtime-types.ts"

export interface LiveSession {
  readonly ready: (timeoutMs: number) => Effect.Effect<void, RuntimeError>
  readonly runTurn: (prompt: string) => Effect.Effect<TurnOutcome, RuntimeError>
  readonly steer: (message: string) => Effect.Effect<void, RuntimeError>
  readonly abort: Effect.Effect<void, RuntimeError>
  readonly artifacts: Effect.Effect<SessionArtifacts>
  readonly terminate: (reason: SessionEndReason, detail?: string) => Effect.Effect<SessionEnd>
}

export const makeSessionTable = <S extends LiveSession>() => {
  const sessions = new Map<string, S>()

  const lookup = (operation: RuntimeError["operation"], handle: RuntimeSessionHandle) => {
    const session = sessions.get(handle.id)
    return session === undefined
      ? Effect.fail(
          new RuntimeError({
            operation,
            sessionId: handle.id,
            message: "no such session (it ended, or belongs to another process)",
          }),
        )
      : Effect.succeed(session)
  }

  /**
   * Keeps a started session until the run's scope closes — closing it ends a
   * session that is still open (cancel, failure) — and waits until it is ready.
   */
  const open = (
    handle: RuntimeSessionHandle,
    session: S,
    startupTimeoutMs: number,
  ): Effect.Effect<void, RuntimeError, Scope.Scope> =>
    Effect.gen(function* () {
      sessions.set(handle.id, session)
      yield* Effect.addFinalizer(() =>
        session
          .terminate("aborted", "the run stopped the session")
          .pipe(Effect.ensuring(Effect.sync(() => sessions.delete(handle.id))), Effect.asVoid),
      )
      yield* session
        .ready(startupTimeoutMs)
        .pipe(Effect.tapError((error) => session.terminate("error", error.message)))
    })

  /** The adapter methods that only pass a call on to the session. */
  const delegate: Pick<
    RuntimeAdapterShape,
    "runTurn" | "steer" | "abort" | "collectArtifacts" | "terminate"
  > = {
    runTurn: (handle, prompt) =>
      Effect.flatMap(lookup("turn", handle), (session) => session.runTurn(prompt)),
    steer: (handle, message) =>
      Effect.flatMap(lookup("steer", handle), (session) => session.steer(message)),
    abort: (handle) => Effect.flatMap(lookup("abort", handle), (session) => session.abort),
    collectArtifacts: (handle) =>
      Effect.flatMap(lookup("artifacts", handle), (session) => session.artifacts),
    terminate: (handle, reason = "completed", detail) =>
      Effect.suspend(() => {
        const session = sessions.get(handle.id)
        return session === undefined
          ? Effect.succeed({ reason, detail: detail ?? null, turns: 0 })
          : session.terminate(reason, detail)
      }),
  }

  return { has: (id: string) => sessions.has(id), lookup, open, delegate }
}
