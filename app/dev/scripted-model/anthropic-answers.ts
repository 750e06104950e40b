// The scripted model server's answers in the Anthropic Messages protocol
// (what Claude Code speaks): the same script steps, sent as the events of
// Anthropic's "Streaming Messages" reference — message_start (input usage),
// content_block_start/delta/stop per text or tool_use block, message_delta
// (stop_reason, output usage), message_stop — or as one Message object when
// the request did not ask for a stream.
import type { ServerResponse } from "node:http"

/** A script step that answers (the server's text and tool_calls steps). */
interface AnswerStep {
  readonly kind: "text" | "tool_calls"
  readonly text?: string
  readonly calls?: ReadonlyArray<{
    readonly name: string
    readonly arguments: Readonly<Record<string, unknown>>
    readonly id?: string
  }>
}

interface Usage {
  readonly promptTokens: number
  readonly completionTokens: number
}

const halves = (text: string) => {
  const cut = Math.ceil(text.length / 2)
  return [text.slice(0, cut), text.slice(cut)].filter((part) => part !== "")
}

const blocksOf = (step: AnswerStep, serial: number) => [
  ...(step.text === undefined || step.text === ""
    ? []
    : [{ type: "text" as const, text: step.text }]),
  ...(step.kind === "tool_calls" && step.calls !== undefined
    ? step.calls.map((call, index) => ({
        type: "tool_use" as const,
        id: call.id ?? `toolu_${serial}_${index}`,
        name: call.name,
        input: call.arguments,
      }))
    : []),
]

const messageBase = (model: string, serial: number) => ({
  id: `msg_scripted_${serial}`,
  type: "message",
  role: "assistant",
  model,
  stop_sequence: null,
})

/** One Message object (a request without `stream: true`). */
export const anthropicMessage = (step: AnswerStep, model: string, serial: number, usage: Usage) => {
  return {
    ...messageBase(model, serial),
    content: blocksOf(step, serial),
    stop_reason: step.kind === "tool_calls" ? "tool_use" : "end_turn",
    usage: { input_tokens: usage.promptTokens, output_tokens: usage.completionTokens },
  }
}

const event = (type: string, data: Record<string, unknown>) =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`

/** The opening event of a stream: the message, and the input tokens it was given. */
export const anthropicStart = (model: string, serial: number, inputTokens: number) =>
  event("message_start", {
    message: {
      ...messageBase(model, serial),
      content: [],
      stop_reason: null,
      usage: { input_tokens: inputTokens, output_tokens: 1 },
    },
  })

/** The events of one streamed answer, text and tool inputs split in two deltas each. */
export const anthropicEvents = (
  step: AnswerStep,
  model: string,
  serial: number,
  usage: Usage,
): string => {
  let out = anthropicStart(model, serial, usage.promptTokens)
  blocksOf(step, serial).forEach((block, index) => {
    if (block.type === "text") {
      out += event("content_block_start", { index, content_block: { type: "text", text: "" } })
      for (const part of halves(block.text))
        out += event("content_block_delta", { index, delta: { type: "text_delta", text: part } })
    } else {
      out += event("content_block_start", {
        index,
        content_block: { type: "tool_use", id: block.id, name: block.name, input: {} },
      })
      for (const part of halves(JSON.stringify(block.input)))
        out += event("content_block_delta", {
          index,
          delta: { type: "input_json_delta", partial_json: part },
        })
    }
    out += event("content_block_stop", { index })
  })
  out += event("message_delta", {
    delta: {
      stop_reason: step.kind === "tool_calls" ? "tool_use" : "end_turn",
      stop_sequence: null,
    },
    usage: { output_tokens: usage.completionTokens },
  })
  out += event("message_stop", {})
  return out
}

/** Anthropic's error shape (API reference, "Errors"). */
export const sendAnthropicError = (res: ServerResponse, status: number, message: string) => {
  const type =
    status === 401
      ? "authentication_error"
      : status === 429
        ? "rate_limit_error"
        : status >= 500
          ? "api_error"
          : "invalid_request_error"
  res.writeHead(status, { "content-type": "application/json" })
  res.end(JSON.stringify({ type: "error", error: { type, message } }))
}
