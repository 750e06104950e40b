// One running Claude Code process (`claude -p --input-format stream-json
// --output-format stream-json`) over the shared session lifecycle
// (session-lifecycle.ts), the same as a Pi session's, in Claude Code's
// protocol:
// - a prompt or a steer is a `user` line on stdin; a user line sent while a
//   turn runs is delivered with the next model call of that turn (Claude
//   Code's own mid-turn messages), so steering works as with Pi;
// - an abort is the `interrupt` control request; a prompt ends with a
//   `result` line;
// - the `initialize` control request answers once Claude Code is ready.
// Claude Code asks for no approvals here (bypassPermissions in the sandbox),
// so approval responses are refused.
import { Effect } from "effect"
import type { RuntimeEventPayload } from "@patchplane/domain"
import {
  ClaudeEventMapper,
  type ClaudeMapperLimits,
  type ClaudeResult,
  decodeClaudeLine,
} from "./claude-events.ts"
import { budgetExhaustedCode } from "./model-gateway.ts"
import { sessionFailure } from "./runtime-errors.ts"
import { type AgentSession, makeAgentSession, type SessionInput } from "./session-lifecycle.ts"

/** Text deltas: most of the bytes, nothing the normalized log keeps; skipped unparsed. */
const isDelta = (line: string) =>
  line.startsWith('{"type":"stream_event"') && line.slice(0, 120).includes('"content_block_delta"')

export type ClaudeSession = AgentSession

const userLine = (text: string) =>
  `${JSON.stringify({
    type: "user",
    message: { role: "user", content: text },
    parent_tool_use_id: null,
    session_id: "",
  })}\n`

const controlLine = (id: string, subtype: string) =>
  `${JSON.stringify({ type: "control_request", request_id: id, request: { subtype } })}\n`

export const makeClaudeSession = (
  input: SessionInput & { readonly limits: ClaudeMapperLimits },
): Effect.Effect<ClaudeSession> =>
  Effect.gen(function* () {
    const { process: proc, budget } = input
    const fail = sessionFailure(input.handle.id)
    const mapper = new ClaudeEventMapper(input.limits)
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

    const interrupt = proc
      .write(controlLine(`pp-interrupt-${Date.now()}`, "interrupt"))
      .pipe(Effect.ignore)

    const write = (operation: "turn" | "steer", text: string) =>
      proc
        .write(text)
        .pipe(
          Effect.mapError((error) =>
            fail(operation, `Claude Code is not running: ${error.message}`),
          ),
        )

    return yield* makeAgentSession<Record<string, unknown>, ClaudeResult>(input, mapper, (core) => {
      /** Only messages and results are kept: the rest is Claude Code's own bookkeeping. */
      const keep = (line: Record<string, unknown>) => {
        if (line.type !== "assistant" && line.type !== "user" && line.type !== "result") return
        core.keep(line)
      }

      const onLine = (line: Record<string, unknown>, out: Array<RuntimeEventPayload>) =>
        Effect.gen(function* () {
          if (line.type === "control_response") {
            const response = (line.response ?? {}) as Record<string, unknown>
            const id = typeof response.request_id === "string" ? response.request_id : undefined
            return yield* core.settle({
              type: "response",
              ...(id === undefined ? {} : { id }),
              command: "",
              success: response.subtype === "success",
              ...(typeof response.error === "string" ? { error: response.error } : {}),
            })
          }
          keep(line)
          if (ClaudeEventMapper.startsTurn(line)) return yield* core.onTurnStart(line, out)
          const mapped = mapper.map(line)
          for (const payload of mapped)
            if (payload.kind === "tool.requested")
              core.recordTool(
                payload.tool,
                payload.tool === "Bash" ? payload.args.command : undefined,
              )
          out.push(...mapped)
          if (line.type === "result") {
            promptMessage(out)
            yield* core.finishTurn(out, ClaudeEventMapper.resultOf(line))
          }
        })

      return {
        name: "Claude Code",
        stopName: "interrupt",
        transcriptName: "claude-code-transcript.json",
        stop: interrupt,
        onLines: (lines) =>
          Effect.gen(function* () {
            const out: Array<RuntimeEventPayload> = []
            for (const raw of lines) {
              if (isDelta(raw)) continue
              const line = decodeClaudeLine(raw)
              if (line !== null) yield* onLine(line, out)
            }
            yield* core.emit(out)
          }),
        handshake: (timeoutMs) =>
          core
            .request("start", "initialize", (id) => controlLine(id, "initialize"), timeoutMs)
            .pipe(Effect.mapError(core.startFailed), Effect.asVoid),
        sendPrompt: (prompt) =>
          Effect.suspend(() => {
            // Claude Code does not echo the prompt: it is recorded inside the
            // first turn, where Pi reports it, or when the prompt ends without one.
            unreportedPrompt = prompt
            return write("turn", userLine(prompt))
          }),
        sendSteer: (message) =>
          write("steer", userLine(message)).pipe(
            Effect.andThen(
              core
                .emit([
                  {
                    kind: "message",
                    role: "user",
                    text: message.slice(0, input.limits.messageChars),
                  },
                ])
                .pipe(Effect.ignore),
            ),
          ),
        goneReason: core.unexpectedExit,
        lastText: () => mapper.lastText,
        endCause: (result) => {
          // The gateway refused the call: the run's budget is spent.
          if (result?.isError === true && result.text?.includes(budgetExhaustedCode) === true)
            return { reason: "budget_exhausted", detail: result.text }
          // The call after the last allowed turn was refused (no message_start
          // comes for it): the turn budget, not a model failure, ended the prompt.
          if (result?.isError === true && turnBudgetSpent)
            return {
              reason: "budget_exhausted",
              detail: `turn budget spent: ${budget.maxTurns} model turns`,
            }
          return null
        },
        outcome: ({ turns, lastMessage, result, fallbackError }) => {
          if (result === null)
            return { status: "error", turns, lastMessage, error: fallbackError ?? "no result" }
          if (result.isError)
            return { status: "failed", turns, lastMessage, error: result.text ?? result.subtype }
          return {
            status: "completed",
            turns,
            lastMessage: result.text ?? lastMessage,
            error: null,
          }
        },
        turnStarted: (out) => {
          promptMessage(out)
          // The last model answer the turn budget allows is on its way: no call may follow.
          if (mapper.turns >= budget.maxTurns) {
            turnBudgetSpent = true
            input.revokeModelAccess()
          }
        },
        beforeOutcome: () => {
          const unreported: Array<RuntimeEventPayload> = []
          promptMessage(unreported)
          return unreported
        },
      }
    })
  })
