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

/**
 * Passes an SSE stream through line by line, handing each `data:` line that
 * mentions usage to the protocol. Only complete lines are passed on (SSE
 * dispatches an event at its blank line, so this delays nothing), and the
 * protocol's closing line and all after it are held back until the call is
 * recorded: a client that sees the end may send its next call at once, and
 * that one must be checked against this call's usage.
 */
export abstract class LineRelay implements UsageRelay {
  #pending = ""
  #held: Array<string> = []
  abstract readonly usage: CallUsage | null
  /** The line that ends the stream (held back). */
  protected abstract readonly closingLine: string
  /** One parsed `data:` payload that mentions usage. */
  protected abstract scanData(payload: unknown): void

  push(text: string): string {
    this.#pending += text
    const lines = this.#pending.split("\n")
    this.#pending = lines.pop() ?? ""
    let out = ""
    for (const line of lines) {
      this.#scan(line)
      const bare = line.endsWith("\r") ? line.slice(0, -1) : line
      if (this.#held.length > 0 || bare.trim() === this.closingLine) this.#held.push(line)
      else out += `${line}\n`
    }
    return out
  }

  end(): string {
    this.#scan(this.#pending)
    const rest = this.#held.map((line) => `${line}\n`).join("") + this.#pending
    this.#held = []
    this.#pending = ""
    return rest
  }

  #scan(raw: string): void {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw
    if (!line.startsWith("data:") || !line.includes('"usage"')) return
    let payload: unknown
    try {
      payload = JSON.parse(line.slice(5).trim())
    } catch {
      return // not JSON: nothing to count
    }
    this.scanData(payload)
  }
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
