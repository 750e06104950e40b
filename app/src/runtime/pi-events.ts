// Pi's events → PatchPlane's normalized RuntimeEvents. The only place that
// knows Pi's event vocabulary. A Pi "turn" (one model answer plus the tools
// it asked for) is a PatchPlane turn; turns are numbered over the session.
//
//   turn_start                       → turn.started
//   message_end (user)               → message (user): the prompt, or a steer when delivered
//   message_end (assistant, text)    → message (assistant)
//   tool_execution_start             → tool.requested (long string arguments capped)
//   tool_execution_end               → tool.completed (output capped)
//   turn_end                         → turn.completed with usage, or turn.failed (error, aborted)
//   compaction_end, auto_retry_*,
//   extension_error                  → message (system)
//   extension_ui_request (confirm)   → approval.required
//   agent_start/end, message_start/update, tool_execution_update, queue_update → nothing
//     (agent_end is the adapter's "idle again"; deltas are not kept)
import type { RuntimeEventPayload } from "@patchplane/domain"
import type { PiEvent } from "./pi-rpc.ts"

export interface PiMapperLimits {
  /** Characters of a tool's output kept in tool.completed. */
  readonly toolOutputChars: number
  /** Characters of each string argument kept in tool.requested. */
  readonly toolArgChars: number
  /** Characters of a message kept. */
  readonly messageChars: number
}

export const defaultMapperLimits: PiMapperLimits = {
  toolOutputChars: 16 * 1024,
  toolArgChars: 8 * 1024,
  messageChars: 64 * 1024,
}

/** What the adapter needs from the assistant's last message. */
export interface AssistantSummary {
  readonly stopReason: string
  readonly errorMessage: string | null
  readonly text: string
}

type Content = ReadonlyArray<{ readonly type?: unknown; readonly text?: unknown }>

const record = (value: unknown): Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {}

const str = (value: unknown, fallback = ""): string =>
  typeof value === "string" ? value : fallback

const num = (value: unknown): number =>
  typeof value === "number" && Number.isFinite(value) && value > 0 ? value : 0

/** The text parts of a message's content (string or parts), joined. */
export const textOf = (content: unknown): string => {
  if (typeof content === "string") return content
  if (!Array.isArray(content)) return ""
  return (content as Content)
    .filter((part) => part.type === "text" && typeof part.text === "string")
    .map((part) => part.text as string)
    .join("")
}

export const truncate = (text: string, max: number): { text: string; truncated: boolean } =>
  text.length <= max
    ? { text, truncated: false }
    : {
        text: `${text.slice(0, max)}\n…[${text.length - max} more characters not kept]`,
        truncated: true,
      }

/** Tool arguments as JSON with every long string shortened. */
export const capArgs = (args: unknown, max: number): Record<string, unknown> => {
  const cap = (value: unknown, depth: number): unknown => {
    if (typeof value === "string") return truncate(value, max).text
    if (depth > 8 || typeof value !== "object" || value === null) return value
    if (Array.isArray(value)) return value.slice(0, 200).map((item) => cap(item, depth + 1))
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, cap(v, depth + 1)]),
    )
  }
  return record(cap(record(args), 0))
}

export class PiEventMapper {
  readonly #limits: PiMapperLimits
  #turns = 0
  #ignoring = false
  #lastAssistant: AssistantSummary | null = null

  constructor(limits: PiMapperLimits = defaultMapperLimits) {
    this.#limits = limits
  }

  /** Model turns started (and counted) so far. */
  get turns(): number {
    return this.#turns
  }

  get lastAssistant(): AssistantSummary | null {
    return this.#lastAssistant
  }

  /**
   * Drops everything until the agent is idle: a turn the adapter refused
   * (over budget) and aborted is not reported as a turn.
   */
  ignoreRestOfRun(): void {
    this.#ignoring = true
  }

  /** Called on agent_end. */
  runEnded(): void {
    this.#ignoring = false
  }

  /** Called when a prompt is sent: its outcome is judged on its own messages. */
  startRun(): void {
    this.#ignoring = false
    this.#lastAssistant = null
  }

  map(event: PiEvent): Array<RuntimeEventPayload> {
    if (this.#ignoring) return []
    const limits = this.#limits
    switch (event.type) {
      case "turn_start":
        this.#turns += 1
        return [{ kind: "turn.started", turn: this.#turns }]

      case "message_end": {
        const message = record(event.message)
        const role = message.role
        if (role === "user") {
          const text = truncate(textOf(message.content), limits.messageChars).text
          return [{ kind: "message", role: "user", text }]
        }
        if (role !== "assistant") return []
        const text = textOf(message.content)
        this.#lastAssistant = {
          stopReason: str(message.stopReason, "stop"),
          errorMessage: typeof message.errorMessage === "string" ? message.errorMessage : null,
          text,
        }
        return text.trim() === ""
          ? []
          : [{ kind: "message", role: "assistant", text: truncate(text, limits.messageChars).text }]
      }

      case "tool_execution_start":
        return [
          {
            kind: "tool.requested",
            toolCallId: str(event.toolCallId),
            tool: str(event.toolName, "unknown"),
            args: capArgs(event.args, limits.toolArgChars),
          },
        ]

      case "tool_execution_end": {
        const result = record(event.result)
        const output = truncate(textOf(result.content), limits.toolOutputChars)
        return [
          {
            kind: "tool.completed",
            toolCallId: str(event.toolCallId),
            tool: str(event.toolName, "unknown"),
            ok: event.isError !== true,
            output: output.text,
            truncated: output.truncated,
          },
        ]
      }

      case "turn_end": {
        const message = record(event.message)
        const turn = Math.max(this.#turns, 1)
        const stopReason = str(message.stopReason, "stop")
        if (stopReason === "error")
          return [
            {
              kind: "turn.failed",
              turn,
              error: str(message.errorMessage, "the model call failed"),
            },
          ]
        if (stopReason === "aborted") return [{ kind: "turn.failed", turn, error: "aborted" }]
        const usage = record(message.usage)
        const cost = num(record(usage.cost).total)
        return [
          {
            kind: "turn.completed",
            turn,
            usage: {
              inputTokens: Math.round(num(usage.input)),
              outputTokens: Math.round(num(usage.output)),
              ...(cost > 0 ? { costUsd: cost } : {}),
            },
          },
        ]
      }

      case "compaction_end": {
        const result = record(event.result)
        const why = str(event.reason, "threshold")
        const text =
          event.aborted === true
            ? `Context compaction (${why}) was aborted.`
            : typeof event.errorMessage === "string"
              ? `Context compaction (${why}) failed: ${event.errorMessage}`
              : `Context compacted (${why}); ${num(result.tokensBefore)} tokens summarized.`
        return [{ kind: "message", role: "system", text }]
      }

      case "auto_retry_start":
        return [
          {
            kind: "message",
            role: "system",
            text: `Model call failed (${str(event.errorMessage, "error")}); retry ${num(event.attempt)} of ${num(event.maxAttempts)} in ${num(event.delayMs)} ms.`,
          },
        ]

      case "auto_retry_end":
        return event.success === true
          ? []
          : [
              {
                kind: "message",
                role: "system",
                text: `Model call retries gave up: ${str(event.finalError, "error")}`,
              },
            ]

      case "extension_error":
        return [
          {
            kind: "message",
            role: "system",
            text: `Extension error in ${str(event.extensionPath, "an extension")}: ${str(event.error)}`,
          },
        ]

      case "extension_ui_request": {
        if (event.method !== "confirm") return []
        const title = str(event.title)
        const detail = str(event.message)
        return [
          {
            kind: "approval.required",
            approvalId: str(event.id),
            reason: detail === "" ? title : `${title}: ${detail}`,
          },
        ]
      }

      default:
        return []
    }
  }
}

/** Pi's dialog requests that need an answer (confirm is an approval; the rest are declined). */
export const isDialogRequest = (event: PiEvent): boolean =>
  event.type === "extension_ui_request" &&
  (event.method === "confirm" ||
    event.method === "select" ||
    event.method === "input" ||
    event.method === "editor")
