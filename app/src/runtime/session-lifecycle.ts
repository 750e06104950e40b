// The lifecycle every agent session shares, whichever runtime runs in the
// process: the line pump that turns its stdout into normalized events
// (delivered to the caller's sink in order), the prompt in flight, the turn
// and time budgets, and the one way the session ends (`terminate`). Every
// path that stops the agent — it finishing, an operator abort, a budget, a
// timeout, the process dying, the scope closing — ends in `terminate`, which
// emits session.terminated exactly once, after every other event. How a
// prompt, a steer or a stop is written and how a turn's end reads is the
// runtime's own (its AgentProtocol: pi-session.ts, claude-session.ts).
import { Cause, Deferred, Effect, Fiber, Option, type Scope, Stream } from "effect"
import type { RuntimeEventPayload } from "@patchplane/domain"
import type { ProcessExit, SandboxProcess } from "../execution/index.ts"
import { PiRequests, type PiResponse } from "./pi-rpc.ts"
import { type RuntimeError, type RuntimeOperation, sessionFailure } from "./runtime-errors.ts"
import type { LiveSession } from "./session-table.ts"
import type {
  RuntimeEventSink,
  RuntimeSessionHandle,
  SessionArtifacts,
  SessionBudget,
  SessionEnd,
  SessionEndReason,
  TurnOutcome,
  TurnStatus,
} from "./runtime-types.ts"

export interface SessionTiming {
  /** How long an abort may take before the agent is killed. */
  readonly abortGraceMs: number
  /** How long the agent may take to exit after stdin closes before it is killed. */
  readonly exitGraceMs: number
  /** How long a command may wait for its response. */
  readonly commandTimeoutMs: number
}

export interface SessionInput {
  readonly handle: RuntimeSessionHandle
  readonly process: SandboxProcess
  readonly budget: SessionBudget
  readonly sink: RuntimeEventSink
  readonly timing: SessionTiming
  readonly scope: Scope.Scope
  /** Makes the gateway refuse this session's token: no model call after a stop. */
  readonly revokeModelAccess: () => void
  /** The model the runtime asks for, reported in session.started. */
  readonly model?: string
}

/** What the lifecycle needs of a runtime's event mapper: model turns, counted per prompt. */
export interface TurnMapper<E> {
  readonly turns: number
  startRun(): void
  ignoreRestOfRun(): void
  map(event: E): Array<RuntimeEventPayload>
}

export interface EndRequest {
  readonly reason: SessionEndReason
  readonly detail: string | null
}

/** What the lifecycle offers the runtime's protocol (E: a decoded line, R: a prompt's result). */
export interface SessionCore<E, R> {
  readonly emit: (events: ReadonlyArray<RuntimeEventPayload>) => Effect.Effect<void, unknown>
  /** Writes a request and waits for its response; fails when refused or unanswered. */
  readonly request: (
    operation: RuntimeOperation,
    label: string,
    encode: (id: string) => string,
    timeoutMs?: number,
  ) => Effect.Effect<PiResponse, RuntimeError>
  /** Hands a response to the request waiting for it. */
  readonly settle: (response: PiResponse) => Effect.Effect<void>
  /** An event that starts a model turn: counted against the budget and timed. */
  readonly onTurnStart: (event: E, out: Array<RuntimeEventPayload>) => Effect.Effect<void>
  /** The prompt is over: `out` goes to the sink, then runTurn hears the outcome. */
  readonly finishTurn: (
    out: Array<RuntimeEventPayload>,
    result: R | null,
  ) => Effect.Effect<void, unknown>
  /** A model turn is over: its time limit no longer runs. */
  readonly stopTurnTimer: Effect.Effect<void>
  readonly recordTool: (tool: string, shellCommand: unknown) => void
  /** Adds an entry to the transcript unless the cap would be passed; false when it was not added. */
  readonly keep: (entry: unknown) => boolean
  /** Why the process ended when nothing asked it to, with its last words on stderr. */
  readonly unexpectedExit: (exit: ProcessExit) => string
  /** A failed handshake, with the process's last words on stderr. */
  readonly startFailed: (error: RuntimeError) => RuntimeError
}

/** How one runtime talks to its process. */
export interface AgentProtocol<R> {
  /** The runtime's name in messages, e.g. "Pi". */
  readonly name: string
  /** What its stop request is called in messages ("abort", "interrupt"). */
  readonly stopName: string
  readonly transcriptName: string
  /** Asks the agent to stop its turn, without waiting for an answer. */
  readonly stop: Effect.Effect<void>
  readonly onLines: (lines: ReadonlyArray<string>) => Effect.Effect<void, unknown>
  /** Waits until the agent answers (ready to take a prompt). */
  readonly handshake: (timeoutMs: number) => Effect.Effect<void, RuntimeError>
  readonly sendPrompt: (prompt: string) => Effect.Effect<void, RuntimeError>
  readonly sendSteer: (message: string) => Effect.Effect<void, RuntimeError>
  /** Why the session ends when the process is gone unasked. */
  readonly goneReason: (exit: ProcessExit) => string
  /** The agent's last words so far (blank counts as none). */
  readonly lastText: () => string | null
  /** The end a finished prompt forces on the session (e.g. the gateway refused a call), if any. */
  readonly endCause: (result: R | null) => EndRequest | null
  /** How a prompt ended that no end request and no abort decided. */
  readonly outcome: (ended: {
    readonly turns: number
    readonly lastMessage: string | null
    readonly result: R | null
    readonly fallbackError: string | null
  }) => TurnOutcome
  /** Called once a turn's start is mapped into `out`. */
  readonly turnStarted?: (out: Array<RuntimeEventPayload>) => void
  /** Events that go out before runTurn hears a prompt's outcome. */
  readonly beforeOutcome?: () => Array<RuntimeEventPayload>
}

interface PendingTurn {
  readonly done: Deferred.Deferred<TurnOutcome>
  readonly turnsAtStart: number
}

const transcriptCap = 8 * 1024 * 1024
const endStatus: Record<SessionEndReason, TurnStatus> = {
  completed: "completed",
  aborted: "aborted",
  budget_exhausted: "budget_exhausted",
  timeout: "timeout",
  error: "error",
}

export interface AgentSession extends LiveSession {
  readonly handle: RuntimeSessionHandle
}

export const makeAgentSession = <E, R>(
  input: SessionInput,
  mapper: TurnMapper<E>,
  protocolOf: (core: SessionCore<E, R>) => AgentProtocol<R>,
): Effect.Effect<AgentSession> =>
  Effect.gen(function* () {
    const { handle, process: proc, budget, sink, timing, scope } = input
    const requests = new PiRequests()
    const ended = yield* Deferred.make<SessionEnd>()
    const toolsUsed = new Set<string>()
    const commands: Array<string> = []
    const transcript: Array<unknown> = []
    let transcriptChars = 0
    let turn: PendingTurn | null = null
    let abortRequested = false
    let endRequest: EndRequest | null = null
    let terminating = false
    let turnTimer: Fiber.Fiber<void> | null = null
    let runTimer: Fiber.Fiber<void> | null = null
    let sinkFailure: string | null = null
    let pump: Fiber.Fiber<void> | null = null

    const fail = sessionFailure(handle.id)
    const fork = <A, Err>(effect: Effect.Effect<A, Err>) =>
      effect.pipe(Effect.forkIn(scope, { startImmediately: true }))
    const emit = (events: ReadonlyArray<RuntimeEventPayload>) =>
      events.length === 0 ? Effect.void : sink(events)
    const stderrTail = () => proc.stderrTail().trim().slice(-2000)

    const request = (
      operation: RuntimeOperation,
      label: string,
      encode: (id: string) => string,
      timeoutMs = timing.commandTimeoutMs,
    ) =>
      Effect.gen(function* () {
        const { id, response } = requests.open()
        yield* proc.write(encode(id)).pipe(
          Effect.mapError((error) =>
            fail(operation, `${protocol.name} is not running: ${error.message}`),
          ),
          Effect.tapError(() => Effect.sync(() => requests.forget(id))),
        )
        const answer = yield* Deferred.await(response).pipe(Effect.timeoutOption(timeoutMs))
        if (Option.isNone(answer)) {
          requests.forget(id)
          return yield* fail(
            operation,
            `${protocol.name} did not answer ${label} within ${timeoutMs} ms`,
          )
        }
        if (!answer.value.success)
          return yield* fail(
            operation,
            `${protocol.name} refused ${label}: ${answer.value.error ?? "no reason given"}`,
          )
        return answer.value
      })

    const stopTurnTimer = Effect.suspend(() => {
      const timer = turnTimer
      turnTimer = null
      return timer === null ? Effect.void : Fiber.interrupt(timer)
    })

    const outcomeOf = (
      pending: PendingTurn,
      result: R | null,
      fallbackError: string | null,
    ): TurnOutcome => {
      const turns = mapper.turns - pending.turnsAtStart
      const text = protocol.lastText()
      const lastMessage = text !== null && text.trim() !== "" ? text : null
      if (endRequest !== null)
        return {
          status: endStatus[endRequest.reason],
          turns,
          lastMessage,
          error: endRequest.detail ?? fallbackError,
        }
      if (abortRequested) return { status: "aborted", turns, lastMessage, error: null }
      return protocol.outcome({ turns, lastMessage, result, fallbackError })
    }

    /** The prompt in flight is over: answer whoever waits in runTurn. */
    const settleTurn = (result: R | null, fallbackError: string | null) =>
      Effect.suspend(() => {
        const pending = turn
        if (pending === null) return Effect.void
        turn = null
        if (endRequest === null) endRequest = protocol.endCause(result)
        const outcome = outcomeOf(pending, result, fallbackError)
        abortRequested = false
        return emit(protocol.beforeOutcome?.() ?? []).pipe(
          Effect.ignore,
          Effect.andThen(Deferred.succeed(pending.done, outcome)),
          // A policy end finishes the session even if nobody waits in runTurn.
          Effect.andThen(
            endRequest === null || terminating
              ? Effect.void
              : fork(terminateWith(endRequest.reason, endRequest.detail ?? undefined)),
          ),
          Effect.asVoid,
        )
      })

    /** A budget or timeout stops the session: stop what runs, then terminate. */
    const requestEnd = (reason: SessionEndReason, detail: string) =>
      Effect.suspend(() => {
        if (endRequest !== null || terminating) return Effect.void
        endRequest = { reason, detail }
        input.revokeModelAccess()
        if (turn === null) return fork(terminateWith(reason, detail)).pipe(Effect.asVoid)
        return Effect.gen(function* () {
          yield* protocol.stop
          // The agent normally stops within milliseconds; if not, it is killed.
          yield* fork(
            Effect.sleep(timing.abortGraceMs).pipe(
              Effect.andThen(Effect.suspend(() => (turn === null ? Effect.void : proc.kill))),
            ),
          )
        })
      })

    const onTurnStart = (event: E, out: Array<RuntimeEventPayload>) =>
      Effect.gen(function* () {
        // Stopping: whatever the agent starts now is not a turn of this session.
        if (endRequest !== null || terminating) {
          mapper.ignoreRestOfRun()
          return
        }
        if (mapper.turns >= budget.maxTurns) {
          mapper.ignoreRestOfRun()
          yield* requestEnd("budget_exhausted", `turn budget spent: ${budget.maxTurns} model turns`)
          return
        }
        out.push(...mapper.map(event))
        protocol.turnStarted?.(out)
        const number = mapper.turns
        yield* stopTurnTimer
        turnTimer = yield* fork(
          Effect.sleep(budget.turnTimeoutSeconds * 1000).pipe(
            Effect.andThen(
              requestEnd(
                "timeout",
                `turn ${number} ran longer than ${budget.turnTimeoutSeconds} s`,
              ),
            ),
          ),
        )
      })

    const finishTurn = (out: Array<RuntimeEventPayload>, result: R | null) =>
      Effect.gen(function* () {
        yield* stopTurnTimer
        // Events so far go out before the waiting runTurn hears the outcome.
        yield* emit(out.splice(0))
        yield* settleTurn(result, null)
      })

    const recordTool = (tool: string, shellCommand: unknown) => {
      toolsUsed.add(tool)
      if (typeof shellCommand === "string") commands.push(shellCommand)
    }

    const keep = (entry: unknown) => {
      const size = JSON.stringify(entry).length
      if (transcriptChars + size > transcriptCap) return false
      transcriptChars += size
      transcript.push(entry)
      return true
    }

    const unexpectedExit = (exit: ProcessExit) =>
      `${protocol.name} exited unexpectedly (${exit.exitCode === null ? `signal ${exit.signal ?? "kill"}` : `exit code ${exit.exitCode}`}): ${stderrTail() || "no output on stderr"}`

    const startFailed = (error: RuntimeError) =>
      fail("start", `${error.message}; stderr: ${stderrTail() || "(empty)"}`)

    /** stdout closed: the agent exited (or was killed). */
    const onGone = Effect.gen(function* () {
      const exit = yield* proc.exit
      const why = sinkFailure ?? protocol.goneReason(exit)
      yield* requests.failAll(`${protocol.name} exited`)
      if (terminating) return yield* settleTurn(null, "the session ended")
      if (endRequest === null) endRequest = { reason: "error", detail: why }
      yield* settleTurn(null, why)
      yield* fork(terminateWith(endRequest.reason, endRequest.detail ?? undefined))
    })

    const terminateWith = (reason: SessionEndReason, detail?: string): Effect.Effect<SessionEnd> =>
      Effect.suspend(() => {
        if (terminating) return Deferred.await(ended)
        terminating = true
        input.revokeModelAccess()
        // Ending mid-turn is not a completion, whatever the caller's default.
        endRequest ??= {
          reason: turn !== null && reason === "completed" ? "aborted" : reason,
          detail: detail ?? null,
        }
        const final = endRequest
        return Effect.gen(function* () {
          if (turn !== null) {
            yield* protocol.stop
            const pending: PendingTurn = turn
            yield* Deferred.await(pending.done).pipe(Effect.timeoutOption(timing.abortGraceMs))
          }
          // Closing stdin asks the agent to finish; it exits once idle.
          yield* proc.closeStdin
          const exited = yield* proc.exit.pipe(Effect.timeoutOption(timing.exitGraceMs))
          if (Option.isNone(exited)) yield* proc.kill
          if (pump !== null) yield* Fiber.await(pump).pipe(Effect.timeoutOption(timing.exitGraceMs))
          yield* settleTurn(null, "the session ended")
          yield* stopTurnTimer
          if (runTimer !== null) yield* Fiber.interrupt(runTimer)
          const end: SessionEnd = {
            reason: final.reason,
            detail: final.detail,
            turns: mapper.turns,
          }
          yield* emit([
            {
              kind: "session.terminated",
              reason: end.reason,
              ...(end.detail === null ? {} : { detail: end.detail }),
            },
          ]).pipe(Effect.ignore)
          yield* Deferred.succeed(ended, end)
          return end
        }).pipe(Effect.uninterruptible)
      })

    const ready = (timeoutMs: number) =>
      Effect.gen(function* () {
        yield* protocol.handshake(timeoutMs)
        yield* emit([
          {
            kind: "session.started",
            adapter: handle.adapter,
            ...(input.model === undefined ? {} : { model: input.model }),
          },
        ]).pipe(
          Effect.mapError((error) =>
            fail("start", `recording session.started failed: ${String(error)}`),
          ),
        )
        runTimer = yield* fork(
          Effect.sleep(budget.runTimeoutSeconds * 1000).pipe(
            Effect.andThen(
              requestEnd("timeout", `the session ran longer than ${budget.runTimeoutSeconds} s`),
            ),
          ),
        )
      })

    const runTurn = (prompt: string) =>
      Effect.gen(function* () {
        if (terminating || endRequest !== null) return yield* fail("turn", "the session has ended")
        if (turn !== null)
          return yield* fail("turn", "a turn is already running; steer it or abort it")
        const pending: PendingTurn = {
          done: yield* Deferred.make<TurnOutcome>(),
          turnsAtStart: mapper.turns,
        }
        turn = pending
        abortRequested = false
        mapper.startRun()
        yield* protocol.sendPrompt(prompt).pipe(
          Effect.tapError(() =>
            Effect.sync(() => {
              if (turn === pending) turn = null
            }),
          ),
        )
        const outcome = yield* Deferred.await(pending.done)
        const status = outcome.status
        if (status === "budget_exhausted" || status === "timeout" || status === "error")
          yield* terminateWith(status, outcome.error ?? undefined)
        return outcome
      })

    const steer = (message: string) =>
      Effect.gen(function* () {
        if (turn === null || terminating)
          return yield* fail(
            "steer",
            "the agent is not running a turn; send the message as a new prompt",
          )
        yield* protocol.sendSteer(message)
      })

    const abort = Effect.gen(function* () {
      const pending = turn
      if (pending === null || terminating) return
      abortRequested = true
      // Not waiting for the agent's answer: the turn ending is the answer.
      yield* protocol.stop
      const stopped = yield* Deferred.await(pending.done).pipe(
        Effect.timeoutOption(timing.abortGraceMs),
      )
      if (Option.isNone(stopped)) {
        // The agent did not stop: stop the whole session.
        yield* requestEnd(
          "aborted",
          `${protocol.name} did not stop within ${timing.abortGraceMs} ms of the ${protocol.stopName}`,
        )
        yield* proc.kill
      }
    })

    const artifacts = Effect.sync((): SessionArtifacts => ({
      artifacts: [
        {
          name: protocol.transcriptName,
          mediaType: "application/json",
          content: JSON.stringify(transcript, null, 2),
        },
      ],
      toolsUsed: [...toolsUsed],
      commands: [...commands],
    }))

    const protocol = protocolOf({
      emit,
      request,
      settle: (response) => requests.settle(response),
      onTurnStart,
      finishTurn,
      stopTurnTimer,
      recordTool,
      keep,
      unexpectedExit,
      startFailed,
    })

    // Started last, once everything it calls exists. Forked before the
    // caller registers its terminate finalizer, so on scope close terminate
    // runs while the pump still delivers the agent's last events.
    pump = yield* fork(
      Stream.runForEachArray(proc.lines, protocol.onLines).pipe(
        Effect.catchCause((cause) =>
          Effect.gen(function* () {
            // The sink failed (e.g. the database is gone): the session cannot be recorded.
            const error = Cause.squash(cause)
            sinkFailure = `recording the session's events failed: ${error instanceof Error ? error.message : String(error)}`
            if (endRequest === null) endRequest = { reason: "error", detail: sinkFailure }
            yield* proc.kill
          }),
        ),
        Effect.andThen(onGone),
      ),
    )

    return {
      handle,
      ready,
      runTurn,
      steer,
      abort,
      artifacts,
      terminate: terminateWith,
    } satisfies AgentSession
  })
