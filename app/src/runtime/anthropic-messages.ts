// The Anthropic Messages protocol (`POST /v1/messages`, streamed as SSE
// events message_start … message_stop) as the model gateway serves it to
// Claude Code. Usage arrives in two parts: the input tokens in message_start,
// the (cumulative) output tokens in message_delta; both are counted against
// the run's budget. Described in Anthropic's API reference, "Messages" and
// "Streaming Messages".
import type { IncomingMessage } from "node:http"
import { type CallUsage, type GatewayProtocol, LineRelay, positiveInt } from "./gateway-protocol.ts"

export const anthropicVersion = "2023-06-01"

const record = (value: unknown): Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {}

/** Input tokens of an Anthropic usage object: cache writes and reads are input too. */
const inputTokens = (usage: Record<string, unknown>) =>
  positiveInt(usage.input_tokens) +
  positiveInt(usage.cache_creation_input_tokens) +
  positiveInt(usage.cache_read_input_tokens)

/** The usage of a whole (non-streamed) message. */
export const anthropicUsageOf = (answer: unknown): CallUsage | null => {
  const usage = record(record(answer).usage)
  if (Object.keys(usage).length === 0) return null
  return {
    inputTokens: inputTokens(usage),
    outputTokens: positiveInt(usage.output_tokens),
    costUsd: null,
  }
}

/** Anthropic Messages: usage in message_start and message_delta, the stream ends at message_stop. */
export class AnthropicSseRelay extends LineRelay {
  #input = 0
  #output = 0
  #seen = false
  protected readonly closingLine = "event: message_stop"

  get usage(): CallUsage | null {
    return this.#seen
      ? { inputTokens: this.#input, outputTokens: this.#output, costUsd: null }
      : null
  }

  protected scanData(payload: unknown): void {
    const event = record(payload)
    if (event.type === "message_start") {
      const usage = record(record(event.message).usage)
      this.#seen = true
      this.#input = inputTokens(usage)
      this.#output = positiveInt(usage.output_tokens)
    } else if (event.type === "message_delta") {
      const usage = record(event.usage)
      this.#seen = true
      // message_delta's figures are cumulative; input appears here only when it changed.
      if (usage.input_tokens !== undefined) this.#input = Math.max(this.#input, inputTokens(usage))
      this.#output = Math.max(this.#output, positiveInt(usage.output_tokens))
    }
  }
}

const passedHeaders = ["anthropic-version", "anthropic-beta"] as const

export const anthropicMessagesProtocol = (upstream: {
  /** The provider's Anthropic-style base URL, ending in /v1. */
  readonly baseUrl: string
  readonly apiKey: string | null
}): GatewayProtocol => ({
  name: "Anthropic Messages",
  upstreamUrl: (search) => `${upstream.baseUrl.replace(/\/+$/, "")}/messages${search}`,
  upstreamHeaders: (req: IncomingMessage) => {
    const headers: Record<string, string> = { "anthropic-version": anthropicVersion }
    for (const name of passedHeaders) {
      const value = req.headers[name]
      if (typeof value === "string" && value !== "") headers[name] = value
    }
    if (upstream.apiKey !== null) headers["x-api-key"] = upstream.apiKey
    return headers
  },
  prepare: (request, tokensLeft) => {
    // Anthropic always reports usage on streams; max_tokens is required.
    if (typeof request.max_tokens === "number" && request.max_tokens > tokensLeft)
      request.max_tokens = Math.max(1, tokensLeft)
  },
  usageOf: anthropicUsageOf,
  relay: () => new AnthropicSseRelay(),
  // Anthropic's error shape; the PatchPlane code goes in the message, where clients show it.
  errorBody: (message, type, code) => ({
    type: "error",
    error: { type, message: message.includes(code) ? message : `${message} [${code}]` },
  }),
})
