// Claude Code's stream-json lines → PatchPlane's normalized RuntimeEvents.
// The only place that knows Claude Code's output vocabulary. A turn is one
// model answer plus the tools it asked for, as with Pi; turns are numbered
// over the session.
//
//   stream_event message_start        → turn.started (closing the previous turn)
//   stream_event message_start/delta  → the turn's usage (input, then output tokens)
//   assistant (text block)            → message (assistant)
//   assistant (tool_use block)        → tool.requested (long string arguments capped)
//   user (tool_result block)          → tool.completed (output capped)
//   system compact_boundary/api_retry → message (system)
//   result                            → turn.completed, or turn.failed (error, aborted); the prompt's end
//   system init, other stream_events, control responses → nothing
// Lines of a sub-agent (parent_tool_use_id set) are not turns of this session.
import type { RuntimeEventPayload } from "@patchplane/domain"
import { capArgs, type PiMapperLimits, textOf, truncate } from "./pi-events.ts"

export type ClaudeMapperLimits = PiMapperLimits

/** How a prompt ended, from Claude Code's `result` line. */
export interface ClaudeResult {
  /** "success", "error_during_execution", "error_max_turns", … */
  readonly subtype: string
  readonly isError: boolean
  /** The final answer, or the error text. */
  readonly text: string | null
}

const record = (value: unknown): Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {}

const str = (value: unknown, fallback = ""): string =>
  typeof value === "string" ? value : fallback

const count = (value: unknown): number =>
  typeof value === "number" && Number.isFinite(value) && value > 0 ? Math.round(value) : 0

/** Parses one stdout line; null for anything that is not a JSON object. */
export const decodeClaudeLine = (line: string): Record<string, unknown> | null => {
  const trimmed = line.trim()
  if (!trimmed.startsWith("{")) return null
  try {
    const value: unknown = JSON.parse(trimmed)
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null
  } catch {
    return null
  }
}

export class ClaudeEventMapper {
  readonly #limits: ClaudeMapperLimits
  #turns = 0
  #open = false
  #usage = { inputTokens: 0, outputTokens: 0 }
  #ignoring = false
  #lastText: string | null = null
  #toolNames = new Map<string, string>()

  constructor(limits: ClaudeMapperLimits) {
    this.#limits = limits
  }

  get turns(): number {
    return this.#turns
  }

  /** The assistant's last words in the current prompt. */
  get lastText(): string | null {
    return this.#lastText
  }

  /** A new prompt: its outcome is judged on its own messages. */
  startRun(): void {
    this.#ignoring = false
    this.#lastText = null
  }

  /** Drops everything until the prompt's result: a turn refused by a budget is not reported. */
  ignoreRestOfRun(): void {
    this.#ignoring = true
  }

  /** Whether this line starts a model turn (checked before it is mapped, for the turn budget). */
  static startsTurn(line: Record<string, unknown>): boolean {
    return (
      line.type === "stream_event" &&
      line.parent_tool_use_id == null &&
      record(line.event).type === "message_start"
    )
  }

  #closeTurn(failure: string | null): Array<RuntimeEventPayload> {
    if (!this.#open) return []
    this.#open = false
    const turn = this.#turns
    return failure === null
      ? [{ kind: "turn.completed", turn, usage: { ...this.#usage } }]
      : [{ kind: "turn.failed", turn, error: failure }]
  }

  map(line: Record<string, unknown>): Array<RuntimeEventPayload> {
    if (line.parent_tool_use_id != null) return []
    if (line.type === "result") {
      const failed = line.is_error === true || str(line.subtype, "success") !== "success"
      const aborted = str(line.subtype) === "error_during_execution"
      const out = this.#closeTurn(
        failed ? (aborted ? "aborted" : str(line.result, str(line.subtype, "error"))) : null,
      )
      this.#ignoring = false
      return out
    }
    if (this.#ignoring) return []
    const limits = this.#limits
    switch (line.type) {
      case "stream_event": {
        const event = record(line.event)
        if (event.type === "message_start") {
          const out = this.#closeTurn(null)
          this.#turns += 1
          this.#open = true
          const usage = record(record(event.message).usage)
          this.#usage = {
            inputTokens:
              count(usage.input_tokens) +
              count(usage.cache_creation_input_tokens) +
              count(usage.cache_read_input_tokens),
            outputTokens: count(usage.output_tokens),
          }
          out.push({ kind: "turn.started", turn: this.#turns })
          return out
        }
        if (event.type === "message_delta") {
          const usage = record(event.usage)
          this.#usage.outputTokens = Math.max(this.#usage.outputTokens, count(usage.output_tokens))
        }
        return []
      }
      case "assistant": {
        const out: Array<RuntimeEventPayload> = []
        const content = record(line.message).content
        for (const block of Array.isArray(content) ? content : []) {
          const part = record(block)
          if (part.type === "text" && str(part.text).trim() !== "") {
            this.#lastText = str(part.text)
            out.push({
              kind: "message",
              role: "assistant",
              text: truncate(str(part.text), limits.messageChars).text,
            })
          } else if (part.type === "tool_use") {
            const id = str(part.id)
            const tool = str(part.name, "unknown")
            this.#toolNames.set(id, tool)
            out.push({
              kind: "tool.requested",
              toolCallId: id,
              tool,
              args: capArgs(part.input, limits.toolArgChars),
            })
          }
        }
        return out
      }
      case "user": {
        const out: Array<RuntimeEventPayload> = []
        const content = record(line.message).content
        for (const block of Array.isArray(content) ? content : []) {
          const part = record(block)
          if (part.type !== "tool_result") continue
          const id = str(part.tool_use_id)
          const output = truncate(textOf(part.content), limits.toolOutputChars)
          out.push({
            kind: "tool.completed",
            toolCallId: id,
            tool: this.#toolNames.get(id) ?? "unknown",
            ok: part.is_error !== true,
            output: output.text,
            truncated: output.truncated,
          })
        }
        return out
      }
      case "system": {
        if (line.subtype === "compact_boundary")
          return [{ kind: "message", role: "system", text: "Context compacted." }]
        if (line.subtype === "api_retry")
          return [
            {
              kind: "message",
              role: "system",
              text: `Model call failed (${str(line.error, "error")}); retry ${count(line.attempt)} of ${count(line.max_retries)}.`,
            },
          ]
        return []
      }
      default:
        return []
    }
  }

  /** The prompt's end, from a `result` line. */
  static resultOf(line: Record<string, unknown>): ClaudeResult {
    const errors = Array.isArray(line.errors) ? line.errors.map((e) => String(e)).join("; ") : ""
    const text = typeof line.result === "string" ? line.result : errors === "" ? null : errors
    return {
      subtype: str(line.subtype, "success"),
      isError: line.is_error === true || str(line.subtype, "success") !== "success",
      text,
    }
  }
}
