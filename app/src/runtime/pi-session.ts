// One running Pi process and everything the adapter knows about it: the
// line pump that turns Pi's stdout into normalized events (delivered to the
// caller's sink in order), the prompt in flight, the turn and time budgets,
// approvals, and the one way the session ends (`terminate`). Every path that
// stops Pi — the agent finishing, an operator abort, a budget, a timeout, Pi
// dying, the scope closing — ends in `terminate`, which emits
// session.terminated exactly once, after every other event.
import { Cause, Deferred, Effect, Fiber, Option, type Scope, Stream } from "effect"
import type { RuntimeEventPayload } from "@patchplane/domain"
import type { SandboxProcess } from "../execution/index.ts"
import { budgetExhaustedCode } from "./model-gateway.ts"
import { isDialogRequest, PiEventMapper, type PiMapperLimits } from "./pi-events.ts"
import {
  decodePiLine,
  encodePiCommand,
  type PiCommand,
  type PiEvent,
  PiRequests,
} from "./pi-rpc.ts"
import { RuntimeError, type RuntimeOperation } from "./runtime-errors.ts"
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

export interface PiSessionTiming {
  /** How long an abort may take before Pi is killed. */
  readonly abortGraceMs: number
  /** How long Pi may take to exit after stdin closes before it is killed. */
  readonly exitGraceMs: number
  /** How long a command may wait for its response. */
  readonly commandTimeoutMs: number
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

export interface PiSession extends LiveSession {
  readonly handle: RuntimeSessionHandle
  readonly respondToApproval: (id: string, approved: boolean) => Effect.Effect<void, RuntimeError>
}

export const makePiSession = (input: {
  readonly handle: RuntimeSessionHandle
  readonly process: SandboxProcess
  readonly budget: SessionBudget
  readonly sink: RuntimeEventSink
  readonly limits: PiMapperLimits
  readonly timing: PiSessionTiming
  readonly scope: Scope.Scope
  /** Makes the gateway refuse this session's token: no model call after a stop. */
  readonly revokeModelAccess: () => void
  /** The model the runtime asks for, reported in session.started. */
  readonly model?: string
}): Effect.Effect<PiSession> =>
  Effect.gen(function* () {
    const { handle, process: proc, budget, sink, timing, scope } = input
    const sessionId = handle.id
    const mapper = new PiEventMapper(input.limits)
    const requests = new PiRequests()
    const ended = yield* Deferred.make<SessionEnd>()
    const toolsUsed = new Set<string>()
    const commands: Array<string> = []
    const transcript: Array<unknown> = []
    let transcriptChars = 0
    const approvals = new Set<string>()
    let turn: PendingTurn | null = null
    let abortRequested = false
    let endRequest: { reason: SessionEndReason; detail: string | null } | null = null
    let terminating = false
    let turnTimer: Fiber.Fiber<void> | null = null
    let runTimer: Fiber.Fiber<void> | null = null
    let sinkFailure: string | null = null
    let pump: Fiber.Fiber<void> | null = null

    const fail = (operation: RuntimeOperation, message: string) =>
      new RuntimeError({ operation, sessionId, message })
    const fork = <A, E>(effect: Effect.Effect<A, E>) =>
      effect.pipe(Effect.forkIn(scope, { startImmediately: true }))
    const emit = (events: ReadonlyArray<RuntimeEventPayload>) =>
      events.length === 0 ? Effect.void : sink(events)

    const write = (command: PiCommand, id?: string) => proc.write(encodePiCommand(command, id))

    /** Sends a command and waits for Pi's response to it. */
    const command = (
      operation: RuntimeOperation,
      cmd: PiCommand,
      timeoutMs = timing.commandTimeoutMs,
    ) =>
      Effect.gen(function* () {
        const { id, response } = requests.open()
        yield* write(cmd, id).pipe(
          Effect.mapError((error) => fail(operation, `Pi is not running: ${error.message}`)),
          Effect.tapError(() => Effect.sync(() => requests.forget(id))),
        )
        const answer = yield* Deferred.await(response).pipe(Effect.timeoutOption(timeoutMs))
        if (Option.isNone(answer)) {
          requests.forget(id)
          return yield* fail(operation, `Pi did not answer ${cmd.type} within ${timeoutMs} ms`)
        }
        if (!answer.value.success)
          return yield* fail(
            operation,
            `Pi refused ${cmd.type}: ${answer.value.error ?? "no reason given"}`,
          )
        return answer.value
      })

    const stopTurnTimer = Effect.suspend(() => {
      const timer = turnTimer
      turnTimer = null
      return timer === null ? Effect.void : Fiber.interrupt(timer)
    })

    const outcomeOf = (pending: PendingTurn, fallbackError: string | null): TurnOutcome => {
      const last = mapper.lastAssistant
      const turns = mapper.turns - pending.turnsAtStart
      const lastMessage = last !== null && last.text.trim() !== "" ? last.text : null
      if (endRequest !== null)
        return {
          status: endStatus[endRequest.reason],
          turns,
          lastMessage,
          error: endRequest.detail ?? fallbackError,
        }
      if (abortRequested) return { status: "aborted", turns, lastMessage, error: null }
      if (last?.stopReason === "error")
        return { status: "failed", turns, lastMessage, error: last.errorMessage ?? "model error" }
      if (last?.stopReason === "aborted")
        return { status: "aborted", turns, lastMessage, error: null }
      return { status: "completed", turns, lastMessage, error: null }
    }

    /** The prompt in flight is over: answer whoever waits in runTurn. */
    const settleTurn = (fallbackError: string | null) =>
      Effect.suspend(() => {
        const pending = turn
        if (pending === null) return Effect.void
        turn = null
        const last = mapper.lastAssistant
        // The gateway refused the call: the run's budget is spent.
        if (
          endRequest === null &&
          last?.stopReason === "error" &&
          last.errorMessage?.includes(budgetExhaustedCode) === true
        )
          endRequest = { reason: "budget_exhausted", detail: last.errorMessage }
        const outcome = outcomeOf(pending, fallbackError)
        abortRequested = false
        return Deferred.succeed(pending.done, outcome).pipe(
          // A policy end finishes the session even if nobody waits in runTurn.
          Effect.andThen(
            endRequest === null || terminating
              ? Effect.void
              : fork(terminateWith(endRequest.reason, endRequest.detail ?? undefined)),
          ),
          Effect.asVoid,
        )
      })

    /** A budget or timeout stops the session: abort what runs, then terminate. */
    const requestEnd = (reason: SessionEndReason, detail: string) =>
      Effect.suspend(() => {
        if (endRequest !== null || terminating) return Effect.void
        endRequest = { reason, detail }
        input.revokeModelAccess()
        if (turn === null) return fork(terminateWith(reason, detail)).pipe(Effect.asVoid)
        return Effect.gen(function* () {
          yield* write({ type: "abort" }).pipe(Effect.ignore)
          // Pi normally stops within milliseconds; if not, it is killed.
          yield* fork(
            Effect.sleep(timing.abortGraceMs).pipe(
              Effect.andThen(Effect.suspend(() => (turn === null ? Effect.void : proc.kill))),
            ),
          )
        })
      })

    const onTurnStart = (event: PiEvent, out: Array<RuntimeEventPayload>) =>
      Effect.gen(function* () {
        // Stopping: whatever Pi starts now is not a turn of this session.
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

    const onEvent = (event: PiEvent, out: Array<RuntimeEventPayload>) =>
      Effect.gen(function* () {
        switch (event.type) {
          case "turn_start":
            return yield* onTurnStart(event, out)
          case "turn_end":
            out.push(...mapper.map(event))
            return yield* stopTurnTimer
          case "message_end":
            out.push(...mapper.map(event))
            // The last model answer the turn budget allows is in: no model
            // call may follow. Revoking now, while its tools still run, means
            // the gateway refuses the next call however fast Pi makes it.
            if (
              (event.message as { role?: unknown } | undefined)?.role === "assistant" &&
              mapper.turns >= budget.maxTurns
            )
              input.revokeModelAccess()
            return
          case "tool_execution_start": {
            const mapped = mapper.map(event)
            for (const payload of mapped)
              if (payload.kind === "tool.requested") {
                toolsUsed.add(payload.tool)
                const shell = (event.args as { command?: unknown } | undefined)?.command
                if (payload.tool === "bash" && typeof shell === "string") commands.push(shell)
              }
            out.push(...mapped)
            return
          }
          case "agent_end": {
            const messages = Array.isArray(event.messages) ? event.messages : []
            for (const message of messages) {
              const size = JSON.stringify(message).length
              if (transcriptChars + size > transcriptCap) break
              transcriptChars += size
              transcript.push(message)
            }
            mapper.runEnded()
            yield* stopTurnTimer
            // Events so far go out before the waiting runTurn hears the outcome.
            yield* emit(out.splice(0))
            return yield* settleTurn(null)
          }
          default:
            if (isDialogRequest(event)) {
              const id = typeof event.id === "string" ? event.id : ""
              if (event.method === "confirm") approvals.add(id)
              // Nobody can type into a select, input or editor dialog of a headless run.
              else
                yield* write({ type: "extension_ui_response", id, cancelled: true }).pipe(
                  Effect.ignore,
                )
            }
            out.push(...mapper.map(event))
        }
      })

    const onLines = (lines: ReadonlyArray<string>) =>
      Effect.gen(function* () {
        const out: Array<RuntimeEventPayload> = []
        for (const line of lines) {
          const decoded = decodePiLine(line)
          if (decoded.kind === "response") yield* requests.settle(decoded.response)
          else if (decoded.kind === "event") yield* onEvent(decoded.event, out)
        }
        yield* emit(out)
      })

    /** stdout closed: Pi exited (or was killed). */
    const onPiGone = Effect.gen(function* () {
      const exit = yield* proc.exit
      const why =
        sinkFailure ??
        (exit.reason === undefined ? undefined : `the sandbox was stopped: ${exit.reason}`) ??
        `Pi exited unexpectedly (${exit.exitCode === null ? `signal ${exit.signal ?? "kill"}` : `exit code ${exit.exitCode}`}): ${proc.stderrTail().trim().slice(-2000) || "no output on stderr"}`
      yield* requests.failAll("Pi exited")
      if (terminating) return yield* settleTurn("the session ended")
      if (endRequest === null) endRequest = { reason: "error", detail: why }
      yield* settleTurn(why)
      yield* fork(terminateWith(endRequest.reason, endRequest.detail ?? undefined))
    })

    const startPump = fork(
      Stream.runForEachArray(proc.lines, onLines).pipe(
        Effect.catchCause((cause) =>
          Effect.gen(function* () {
            // The sink failed (e.g. the database is gone): the session cannot be recorded.
            const error = Cause.squash(cause)
            sinkFailure = `recording the session's events failed: ${error instanceof Error ? error.message : String(error)}`
            if (endRequest === null) endRequest = { reason: "error", detail: sinkFailure }
            yield* proc.kill
          }),
        ),
        Effect.andThen(onPiGone),
      ),
    )

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
            yield* write({ type: "abort" }).pipe(Effect.ignore)
            const pending: PendingTurn = turn
            yield* Deferred.await(pending.done).pipe(Effect.timeoutOption(timing.abortGraceMs))
          }
          // Closing stdin asks Pi to finish; it exits 0 within milliseconds.
          yield* proc.closeStdin
          const exited = yield* proc.exit.pipe(Effect.timeoutOption(timing.exitGraceMs))
          if (Option.isNone(exited)) yield* proc.kill
          if (pump !== null) yield* Fiber.await(pump).pipe(Effect.timeoutOption(timing.exitGraceMs))
          yield* settleTurn("the session ended")
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
        const state = yield* command("start", { type: "get_state" }, timeoutMs).pipe(
          Effect.mapError((error) =>
            fail(
              "start",
              `${error.message}; stderr: ${proc.stderrTail().trim().slice(-2000) || "(empty)"}`,
            ),
          ),
        )
        const model = (state.data as { model?: unknown } | undefined)?.model
        if (model === null || model === undefined)
          return yield* fail(
            "start",
            "Pi started without a model; check the runtime's model settings",
          )
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
        yield* command("turn", { type: "prompt", message: prompt }).pipe(
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
        yield* command("steer", { type: "steer", message })
      }).pipe(Effect.asVoid)

    const abort = Effect.gen(function* () {
      const pending = turn
      if (pending === null || terminating) return
      abortRequested = true
      // Not waiting for Pi's answer: the turn ending is the answer.
      yield* write({ type: "abort" }).pipe(Effect.ignore)
      const stopped = yield* Deferred.await(pending.done).pipe(
        Effect.timeoutOption(timing.abortGraceMs),
      )
      if (Option.isNone(stopped)) {
        // Pi did not stop: stop the whole session.
        yield* requestEnd(
          "aborted",
          `Pi did not stop within ${timing.abortGraceMs} ms of the abort`,
        )
        yield* proc.kill
      }
    })

    const respondToApproval = (id: string, approved: boolean) =>
      Effect.gen(function* () {
        if (!approvals.delete(id)) return yield* fail("approval", `no pending approval ${id}`)
        yield* write({ type: "extension_ui_response", id, confirmed: approved }).pipe(
          Effect.mapError((error) => fail("approval", error.message)),
        )
      })

    const artifacts = Effect.sync((): SessionArtifacts => ({
      artifacts: [
        {
          name: "pi-transcript.json",
          mediaType: "application/json",
          content: JSON.stringify(transcript, null, 2),
        },
      ],
      toolsUsed: [...toolsUsed],
      commands: [...commands],
    }))

    // Started last, once everything it calls exists. Forked before the
    // caller registers its terminate finalizer, so on scope close terminate
    // runs while the pump still delivers Pi's last events.
    pump = yield* startPump

    return {
      handle,
      ready,
      runTurn,
      steer,
      abort,
      respondToApproval,
      artifacts,
      terminate: terminateWith,
    } satisfies PiSession
  })
