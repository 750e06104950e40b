// One running Claude Code process (`claude -p --input-format stream-json
// --output-format stream-json`) and everything the adapter knows about it:
// the line pump that turns its stdout into normalized events (delivered to
// the caller's sink in order), the prompt in flight, the turn and time
// budgets, and the one way the session ends (`terminate`), which emits
// session.terminated exactly once, after every other event — the same
// lifecycle as a Pi session (pi-session.ts), over Claude Code's protocol:
// - a prompt or a steer is a `user` line on stdin; a user line sent while a
//   turn runs is delivered with the next model call of that turn (Claude
//   Code's own mid-turn messages), so steering works as with Pi;
// - an abort is the `interrupt` control request; a prompt ends with a
//   `result` line;
// - the `initialize` control request answers once Claude Code is ready.
// Claude Code asks for no approvals here (bypassPermissions in the sandbox),
// so approval responses are refused.
import { Cause, Deferred, Effect, Fiber, Option, type Scope, Stream } from "effect"
import type { RuntimeEventPayload } from "@patchplane/domain"
import type { SandboxProcess } from "../execution/index.ts"
import { ClaudeEventMapper, type ClaudeMapperLimits, decodeClaudeLine } from "./claude-events.ts"
import { budgetExhaustedCode } from "./model-gateway.ts"
import type { PiSessionTiming } from "./pi-session.ts"
import { PiRequests } from "./pi-rpc.ts"
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

/** Text deltas: most of the bytes, nothing the normalized log keeps; skipped unparsed. */
const isDelta = (line: string) =>
  line.startsWith('{"type":"stream_event"') && line.slice(0, 120).includes('"content_block_delta"')

export interface ClaudeSession extends LiveSession {
  readonly handle: RuntimeSessionHandle
}

const userLine = (text: string) =>
  `${JSON.stringify({
    type: "user",
    message: { role: "user", content: text },
    parent_tool_use_id: null,
    session_id: "",
  })}\n`

export const makeClaudeSession = (input: {
  readonly handle: RuntimeSessionHandle
  readonly process: SandboxProcess
  readonly budget: SessionBudget
  readonly sink: RuntimeEventSink
  readonly limits: ClaudeMapperLimits
  readonly timing: PiSessionTiming
  readonly scope: Scope.Scope
  /** Makes the gateway refuse this session's token: no model call after a stop. */
  readonly revokeModelAccess: () => void
  /** The model the runtime asks for, reported in session.started. */
  readonly model?: string
}): Effect.Effect<ClaudeSession> =>
  Effect.gen(function* () {
    const { handle, process: proc, budget, sink, timing, scope } = input
    const sessionId = handle.id
    const mapper = new ClaudeEventMapper(input.limits)
    const requests = new PiRequests()
    const ended = yield* Deferred.make<SessionEnd>()
    const toolsUsed = new Set<string>()
    const commands: Array<string> = []
    const transcript: Array<unknown> = []
    let transcriptChars = 0
    let turn: PendingTurn | null = null
    let abortRequested = false
    let endRequest: { reason: SessionEndReason; detail: string | null } | null = null
    let terminating = false
    let turnTimer: Fiber.Fiber<void> | null = null
    let runTimer: Fiber.Fiber<void> | null = null
    let sinkFailure: string | null = null
    let pump: Fiber.Fiber<void> | null = null
    let unreportedPrompt: string | null = null
    /** The last turn the budget allows has started: the next model call is refused. */
    let turnBudgetSpent = false
    const promptMessage = (out: Array<RuntimeEventPayload>) => {
      if (unreportedPrompt === null) return
      out.push({
        kind: "message",
        role: "user",
        text: unreportedPrompt.slice(0, input.limits.messageChars),
      })
      unreportedPrompt = null
    }

    const fail = (operation: RuntimeOperation, message: string) =>
      new RuntimeError({ operation, sessionId, message })
    const fork = <A, E>(effect: Effect.Effect<A, E>) =>
      effect.pipe(Effect.forkIn(scope, { startImmediately: true }))
    const emit = (events: ReadonlyArray<RuntimeEventPayload>) =>
      events.length === 0 ? Effect.void : sink(events)

    /** Sends a control request and waits for Claude Code's control_response. */
    const control = (operation: RuntimeOperation, subtype: string, timeoutMs: number) =>
      Effect.gen(function* () {
        const { id, response } = requests.open()
        yield* proc
          .write(
            `${JSON.stringify({ type: "control_request", request_id: id, request: { subtype } })}\n`,
          )
          .pipe(
            Effect.mapError((error) =>
              fail(operation, `Claude Code is not running: ${error.message}`),
            ),
            Effect.tapError(() => Effect.sync(() => requests.forget(id))),
          )
        const answer = yield* Deferred.await(response).pipe(Effect.timeoutOption(timeoutMs))
        if (Option.isNone(answer)) {
          requests.forget(id)
          return yield* fail(
            operation,
            `Claude Code did not answer ${subtype} within ${timeoutMs} ms`,
          )
        }
        if (!answer.value.success)
          return yield* fail(
            operation,
            `Claude Code refused ${subtype}: ${answer.value.error ?? "no reason given"}`,
          )
      })

    const interrupt = proc
      .write(
        `${JSON.stringify({ type: "control_request", request_id: `pp-interrupt-${Date.now()}`, request: { subtype: "interrupt" } })}\n`,
      )
      .pipe(Effect.ignore)

    const stopTurnTimer = Effect.suspend(() => {
      const timer = turnTimer
      turnTimer = null
      return timer === null ? Effect.void : Fiber.interrupt(timer)
    })

    const outcomeOf = (
      pending: PendingTurn,
      result: { isError: boolean; subtype: string; text: string | null } | null,
      fallbackError: string | null,
    ): TurnOutcome => {
      const turns = mapper.turns - pending.turnsAtStart
      const lastText = mapper.lastText
      const lastMessage = lastText !== null && lastText.trim() !== "" ? lastText : null
      if (endRequest !== null)
        return {
          status: endStatus[endRequest.reason],
          turns,
          lastMessage,
          error: endRequest.detail ?? fallbackError,
        }
      if (abortRequested) return { status: "aborted", turns, lastMessage, error: null }
      if (result === null)
        return { status: "error", turns, lastMessage, error: fallbackError ?? "no result" }
      if (result.isError)
        return { status: "failed", turns, lastMessage, error: result.text ?? result.subtype }
      return { status: "completed", turns, lastMessage: result.text ?? lastMessage, error: null }
    }

    /** The prompt in flight is over: answer whoever waits in runTurn. */
    const settleTurn = (
      result: { isError: boolean; subtype: string; text: string | null } | null,
      fallbackError: string | null,
    ) =>
      Effect.suspend(() => {
        const pending = turn
        if (pending === null) return Effect.void
        turn = null
        // The gateway refused the call: the run's budget is spent.
        if (
          endRequest === null &&
          result?.isError === true &&
          result.text?.includes(budgetExhaustedCode) === true
        )
          endRequest = { reason: "budget_exhausted", detail: result.text }
        // The call after the last allowed turn was refused (no message_start
        // comes for it): the turn budget, not a model failure, ended the prompt.
        if (endRequest === null && result?.isError === true && turnBudgetSpent)
          endRequest = {
            reason: "budget_exhausted",
            detail: `turn budget spent: ${budget.maxTurns} model turns`,
          }
        const outcome = outcomeOf(pending, result, fallbackError)
        abortRequested = false
        const unreported: Array<RuntimeEventPayload> = []
        promptMessage(unreported)
        return emit(unreported).pipe(
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

    /** A budget or timeout stops the session: interrupt what runs, then terminate. */
    const requestEnd = (reason: SessionEndReason, detail: string) =>
      Effect.suspend(() => {
        if (endRequest !== null || terminating) return Effect.void
        endRequest = { reason, detail }
        input.revokeModelAccess()
        if (turn === null) return fork(terminateWith(reason, detail)).pipe(Effect.asVoid)
        return Effect.gen(function* () {
          yield* interrupt
          yield* fork(
            Effect.sleep(timing.abortGraceMs).pipe(
              Effect.andThen(Effect.suspend(() => (turn === null ? Effect.void : proc.kill))),
            ),
          )
        })
      })

    const onTurnStart = (line: Record<string, unknown>, out: Array<RuntimeEventPayload>) =>
      Effect.gen(function* () {
        if (endRequest !== null || terminating) {
          mapper.ignoreRestOfRun()
          return
        }
        if (mapper.turns >= budget.maxTurns) {
          mapper.ignoreRestOfRun()
          yield* requestEnd("budget_exhausted", `turn budget spent: ${budget.maxTurns} model turns`)
          return
        }
        out.push(...mapper.map(line))
        promptMessage(out)
        // The last model answer the turn budget allows is on its way: no call may follow.
        if (mapper.turns >= budget.maxTurns) {
          turnBudgetSpent = true
          input.revokeModelAccess()
        }
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

    const keep = (line: Record<string, unknown>) => {
      if (line.type !== "assistant" && line.type !== "user" && line.type !== "result") return
      const size = JSON.stringify(line).length
      if (transcriptChars + size > transcriptCap) return
      transcriptChars += size
      transcript.push(line)
    }

    const onLine = (line: Record<string, unknown>, out: Array<RuntimeEventPayload>) =>
      Effect.gen(function* () {
        if (line.type === "control_response") {
          const response = (line.response ?? {}) as Record<string, unknown>
          const id = typeof response.request_id === "string" ? response.request_id : undefined
          return yield* requests.settle({
            type: "response",
            ...(id === undefined ? {} : { id }),
            command: "",
            success: response.subtype === "success",
            ...(typeof response.error === "string" ? { error: response.error } : {}),
          })
        }
        keep(line)
        if (ClaudeEventMapper.startsTurn(line)) return yield* onTurnStart(line, out)
        const mapped = mapper.map(line)
        for (const payload of mapped)
          if (payload.kind === "tool.requested") {
            toolsUsed.add(payload.tool)
            if (payload.tool === "Bash" && typeof payload.args.command === "string")
              commands.push(payload.args.command)
          }
        out.push(...mapped)
        if (line.type === "result") {
          promptMessage(out)
          yield* stopTurnTimer
          // Events so far go out before the waiting runTurn hears the outcome.
          yield* emit(out.splice(0))
          yield* settleTurn(ClaudeEventMapper.resultOf(line), null)
        }
      })

    const onLines = (lines: ReadonlyArray<string>) =>
      Effect.gen(function* () {
        const out: Array<RuntimeEventPayload> = []
        for (const raw of lines) {
          if (isDelta(raw)) continue
          const line = decodeClaudeLine(raw)
          if (line !== null) yield* onLine(line, out)
        }
        yield* emit(out)
      })

    /** stdout closed: Claude Code exited (or was killed). */
    const onGone = Effect.gen(function* () {
      const exit = yield* proc.exit
      const why =
        sinkFailure ??
        `Claude Code exited unexpectedly (${exit.exitCode === null ? `signal ${exit.signal ?? "kill"}` : `exit code ${exit.exitCode}`}): ${proc.stderrTail().trim().slice(-2000) || "no output on stderr"}`
      yield* requests.failAll("Claude Code exited")
      if (terminating) return yield* settleTurn(null, "the session ended")
      if (endRequest === null) endRequest = { reason: "error", detail: why }
      yield* settleTurn(null, why)
      yield* fork(terminateWith(endRequest.reason, endRequest.detail ?? undefined))
    })

    const startPump = fork(
      Stream.runForEachArray(proc.lines, onLines).pipe(
        Effect.catchCause((cause) =>
          Effect.gen(function* () {
            const error = Cause.squash(cause)
            sinkFailure = `recording the session's events failed: ${error instanceof Error ? error.message : String(error)}`
            if (endRequest === null) endRequest = { reason: "error", detail: sinkFailure }
            yield* proc.kill
          }),
        ),
        Effect.andThen(onGone),
      ),
    )

    const terminateWith = (reason: SessionEndReason, detail?: string): Effect.Effect<SessionEnd> =>
      Effect.suspend(() => {
        if (terminating) return Deferred.await(ended)
        terminating = true
        input.revokeModelAccess()
        endRequest ??= {
          reason: turn !== null && reason === "completed" ? "aborted" : reason,
          detail: detail ?? null,
        }
        const final = endRequest
        return Effect.gen(function* () {
          if (turn !== null) {
            yield* interrupt
            const pending: PendingTurn = turn
            yield* Deferred.await(pending.done).pipe(Effect.timeoutOption(timing.abortGraceMs))
          }
          // Closing stdin ends Claude Code once it is idle.
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
        yield* control("start", "initialize", timeoutMs).pipe(
          Effect.mapError((error) =>
            fail(
              "start",
              `${error.message}; stderr: ${proc.stderrTail().trim().slice(-2000) || "(empty)"}`,
            ),
          ),
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
        // Claude Code does not echo the prompt: it is recorded inside the
        // first turn, where Pi reports it, or when the prompt ends without one.
        unreportedPrompt = prompt
        yield* proc.write(userLine(prompt)).pipe(
          Effect.mapError((error) => fail("turn", `Claude Code is not running: ${error.message}`)),
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
        yield* proc
          .write(userLine(message))
          .pipe(
            Effect.mapError((error) =>
              fail("steer", `Claude Code is not running: ${error.message}`),
            ),
          )
        yield* emit([
          { kind: "message", role: "user", text: message.slice(0, input.limits.messageChars) },
        ]).pipe(Effect.ignore)
      })

    const abort = Effect.gen(function* () {
      const pending = turn
      if (pending === null || terminating) return
      abortRequested = true
      yield* interrupt
      const stopped = yield* Deferred.await(pending.done).pipe(
        Effect.timeoutOption(timing.abortGraceMs),
      )
      if (Option.isNone(stopped)) {
        yield* requestEnd(
          "aborted",
          `Claude Code did not stop within ${timing.abortGraceMs} ms of the interrupt`,
        )
        yield* proc.kill
      }
    })

    const artifacts = Effect.sync((): SessionArtifacts => ({
      artifacts: [
        {
          name: "claude-code-transcript.json",
          mediaType: "application/json",
          content: JSON.stringify(transcript, null, 2),
        },
      ],
      toolsUsed: [...toolsUsed],
      commands: [...commands],
    }))

    pump = yield* startPump

    return {
      handle,
      ready,
      runTurn,
      steer,
      abort,
      artifacts,
      terminate: terminateWith,
    } satisfies ClaudeSession
  })
