// One running Pi process (RPC mode: JSON commands on stdin, responses and
// events on stdout) over the shared session lifecycle (session-lifecycle.ts):
// a prompt, a steer and an abort are Pi commands; a prompt ends with
// `agent_end`; `get_state` answers once Pi is ready; confirm dialogs are the
// run's approvals, and any other dialog is cancelled (nobody can type into a
// headless run).
import { Effect } from "effect"
import type { RuntimeEventPayload } from "@patchplane/domain"
import { budgetExhaustedCode } from "./model-gateway.ts"
import { isDialogRequest, PiEventMapper, type PiMapperLimits } from "./pi-events.ts"
import { decodePiLine, encodePiCommand, type PiCommand, type PiEvent } from "./pi-rpc.ts"
import { type RuntimeError, type RuntimeOperation, sessionFailure } from "./runtime-errors.ts"
import { type AgentSession, makeAgentSession, type SessionInput } from "./session-lifecycle.ts"

export interface PiSession extends AgentSession {
  readonly respondToApproval: (id: string, approved: boolean) => Effect.Effect<void, RuntimeError>
}

export const makePiSession = (
  input: SessionInput & { readonly limits: PiMapperLimits },
): Effect.Effect<PiSession> =>
  Effect.gen(function* () {
    const { process: proc, budget } = input
    const fail = sessionFailure(input.handle.id)
    const mapper = new PiEventMapper(input.limits)
    const approvals = new Set<string>()

    const write = (command: PiCommand, id?: string) => proc.write(encodePiCommand(command, id))

    const session = yield* makeAgentSession<PiEvent, never>(input, mapper, (core) => {
      /** Sends a command and waits for Pi's response to it. */
      const command = (operation: RuntimeOperation, cmd: PiCommand, timeoutMs?: number) =>
        core.request(operation, cmd.type, (id) => encodePiCommand(cmd, id), timeoutMs)

      const onEvent = (event: PiEvent, out: Array<RuntimeEventPayload>) =>
        Effect.gen(function* () {
          switch (event.type) {
            case "turn_start":
              return yield* core.onTurnStart(event, out)
            case "turn_end":
              out.push(...mapper.map(event))
              return yield* core.stopTurnTimer
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
                  const shell = (event.args as { command?: unknown } | undefined)?.command
                  core.recordTool(payload.tool, payload.tool === "bash" ? shell : undefined)
                }
              out.push(...mapped)
              return
            }
            case "agent_end": {
              const messages = Array.isArray(event.messages) ? event.messages : []
              for (const message of messages) if (!core.keep(message)) break
              mapper.runEnded()
              return yield* core.finishTurn(out, null)
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

      return {
        name: "Pi",
        stopName: "abort",
        transcriptName: "pi-transcript.json",
        stop: write({ type: "abort" }).pipe(Effect.ignore),
        onLines: (lines) =>
          Effect.gen(function* () {
            const out: Array<RuntimeEventPayload> = []
            for (const line of lines) {
              const decoded = decodePiLine(line)
              if (decoded.kind === "response") yield* core.settle(decoded.response)
              else if (decoded.kind === "event") yield* onEvent(decoded.event, out)
            }
            yield* core.emit(out)
          }),
        handshake: (timeoutMs) =>
          Effect.gen(function* () {
            const state = yield* command("start", { type: "get_state" }, timeoutMs).pipe(
              Effect.mapError(core.startFailed),
            )
            const model = (state.data as { model?: unknown } | undefined)?.model
            if (model === null || model === undefined)
              return yield* fail(
                "start",
                "Pi started without a model; check the runtime's model settings",
              )
          }),
        sendPrompt: (prompt) =>
          command("turn", { type: "prompt", message: prompt }).pipe(Effect.asVoid),
        sendSteer: (message) => command("steer", { type: "steer", message }).pipe(Effect.asVoid),
        goneReason: (exit) =>
          exit.reason === undefined
            ? core.unexpectedExit(exit)
            : `the sandbox was stopped: ${exit.reason}`,
        lastText: () => mapper.lastAssistant?.text ?? null,
        // The gateway refused the call: the run's budget is spent.
        endCause: () => {
          const last = mapper.lastAssistant
          return last?.stopReason === "error" &&
            last.errorMessage?.includes(budgetExhaustedCode) === true
            ? { reason: "budget_exhausted", detail: last.errorMessage }
            : null
        },
        outcome: ({ turns, lastMessage }) => {
          const last = mapper.lastAssistant
          if (last?.stopReason === "error")
            return {
              status: "failed",
              turns,
              lastMessage,
              error: last.errorMessage ?? "model error",
            }
          if (last?.stopReason === "aborted")
            return { status: "aborted", turns, lastMessage, error: null }
          return { status: "completed", turns, lastMessage, error: null }
        },
      }
    })

    const respondToApproval = (id: string, approved: boolean) =>
      Effect.gen(function* () {
        if (!approvals.delete(id)) return yield* fail("approval", `no pending approval ${id}`)
        yield* write({ type: "extension_ui_response", id, confirmed: approved }).pipe(
          Effect.mapError((error) => fail("approval", error.message)),
        )
      })

    return { ...session, respondToApproval } satisfies PiSession
  })
