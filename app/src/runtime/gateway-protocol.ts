// What differs between the wire protocols the model gateway serves: where a
// call goes upstream, how the provider key is presented, where usage sits in
// an answer and how an error is shaped. The gateway's checks (run token,
// session, budgets), retries and accounting are the same for all of them.
import type { IncomingMessage } from "node:http"

export interface CallUsage {
  inputTokens: number
  outputTokens: number
  costUsd: number | null
}

/** Passes a provider's SSE stream on, picking usage out as it goes. */
export interface UsageRelay {
  /** Text to send on now. */
  push(text: string): string
  /** What was held back, to send once the call is recorded. */
  end(): string
  readonly usage: CallUsage | null
}

export interface GatewayProtocol {
  /** For messages and logs, e.g. "OpenAI chat completions". */
  readonly name: string
  /** The provider URL of one call (`search` is the client's query string, "" or "?…"). */
  readonly upstreamUrl: (search: string) => string
  /** Provider headers: the key, and what the client's request says about the protocol version. */
  readonly upstreamHeaders: (req: IncomingMessage) => Record<string, string>
  /**
   * Adjusts the client's request before it goes out: usage reported on
   * streams too, and one answer capped at the tokens left in the budget.
   */
  readonly prepare: (request: Record<string, unknown>, tokensLeft: number) => void
  /** The usage of a whole (non-streamed) answer. */
  readonly usageOf: (answer: unknown) => CallUsage | null
  readonly relay: () => UsageRelay
  /** The protocol's error body. */
  readonly errorBody: (message: string, type: string, code: string) => unknown
}

export const positiveInt = (n: unknown) =>
  typeof n === "number" && Number.isFinite(n) && n > 0 ? Math.round(n) : 0
