// The gateway's Anthropic Messages protocol on its own: usage counted from a
// stream (cache reads and writes are input), the closing event held back
// until the call is recorded, and the provider request shaped as Anthropic's
// API reference says (x-api-key, anthropic-version, max_tokens capped).
import type { IncomingMessage } from "node:http"
import { describe, expect, it } from "vitest"
import {
  AnthropicSseRelay,
  anthropicMessagesProtocol,
  anthropicUsageOf,
} from "../../src/runtime/anthropic-messages.ts"

const event = (type: string, data: Record<string, unknown>) =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`

describe("Anthropic Messages at the gateway", () => {
  it("counts a stream's usage from message_start and message_delta, and holds message_stop back", () => {
    const relay = new AnthropicSseRelay()
    const start = event("message_start", {
      message: {
        id: "msg_1",
        usage: {
          input_tokens: 50,
          cache_read_input_tokens: 30,
          cache_creation_input_tokens: 20,
          output_tokens: 1,
        },
      },
    })
    const delta = event("message_delta", {
      delta: { stop_reason: "end_turn" },
      usage: { output_tokens: 40 },
    })
    const stop = event("message_stop", {})
    // Arbitrary chunking: split inside a line.
    const all = start + delta + stop
    const sent = relay.push(all.slice(0, 37)) + relay.push(all.slice(37))
    expect(sent).toBe(start + delta)
    expect(relay.usage).toEqual({ inputTokens: 100, outputTokens: 40, costUsd: null })
    expect(relay.end()).toBe(stop)
  })

  it("reads a whole message's usage", () => {
    expect(anthropicUsageOf({ usage: { input_tokens: 7, output_tokens: 3 } })).toEqual({
      inputTokens: 7,
      outputTokens: 3,
      costUsd: null,
    })
    expect(anthropicUsageOf({ type: "message" })).toBeNull()
  })

  it("sends the provider key as x-api-key, passes the protocol headers, caps max_tokens", () => {
    const protocol = anthropicMessagesProtocol({
      baseUrl: "https://api.anthropic.com/v1/",
      apiKey: "sk-provider",
    })
    expect(protocol.upstreamUrl("?beta=true")).toBe(
      "https://api.anthropic.com/v1/messages?beta=true",
    )
    const req = {
      headers: {
        authorization: "Bearer pp-run-token",
        "anthropic-version": "2023-06-01",
        "anthropic-beta": "interleaved-thinking-2025-05-14",
      },
    } as unknown as IncomingMessage
    expect(protocol.upstreamHeaders(req)).toEqual({
      "x-api-key": "sk-provider",
      "anthropic-version": "2023-06-01",
      "anthropic-beta": "interleaved-thinking-2025-05-14",
    })
    const request: Record<string, unknown> = { max_tokens: 32_000 }
    protocol.prepare(request, 500)
    expect(request.max_tokens).toBe(500)
    expect(protocol.errorBody("spent", "budget_exhausted", "patchplane_budget_exhausted")).toEqual({
      type: "error",
      error: { type: "budget_exhausted", message: "spent [patchplane_budget_exhausted]" },
    })
  })
})
