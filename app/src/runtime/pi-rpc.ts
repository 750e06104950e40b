// Pi's RPC protocol (`pi --mode rpc`): one JSON object per line in each
// direction. Commands go to stdin, optionally with an `id` that Pi echoes in
// its `response`; everything else on stdout is an event. Line framing is the
// execution layer's (split on "\n" only); this module encodes commands,
// decodes lines and matches responses to the commands that asked.
import { Deferred, Effect } from "effect"

export type PiCommand =
  | { readonly type: "prompt"; readonly message: string; readonly streamingBehavior?: "steer" }
  | { readonly type: "steer"; readonly message: string }
  | { readonly type: "abort" }
  | { readonly type: "get_state" }
  | { readonly type: "get_session_stats" }
  | {
      readonly type: "extension_ui_response"
      readonly id: string
      readonly confirmed?: boolean
      readonly cancelled?: boolean
    }

export interface PiResponse {
  readonly type: "response"
  readonly id?: string
  readonly command: string
  readonly success: boolean
  readonly error?: string
  readonly data?: unknown
}

/** Any stdout object that is not a response, e.g. `{ type: "turn_start" }`. */
export interface PiEvent {
  readonly type: string
  readonly [key: string]: unknown
}

export type PiLine =
  | { readonly kind: "response"; readonly response: PiResponse }
  | { readonly kind: "event"; readonly event: PiEvent }
  | { readonly kind: "skip" }
  | { readonly kind: "invalid"; readonly line: string }

// Streaming deltas repeat the whole partial message on every line: by far
// most of the bytes, and nothing the normalized log keeps. They are
// recognised without parsing (Pi writes `type` first).
const skippedPrefixes = ['{"type":"message_update"', '{"type":"tool_execution_update"']

export const decodePiLine = (line: string): PiLine => {
  if (line.trim() === "") return { kind: "skip" }
  if (skippedPrefixes.some((prefix) => line.startsWith(prefix))) return { kind: "skip" }
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return { kind: "invalid", line }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return { kind: "invalid", line }
  const object = value as Record<string, unknown>
  if (typeof object.type !== "string") return { kind: "invalid", line }
  if (object.type === "response")
    return { kind: "response", response: object as unknown as PiResponse }
  return { kind: "event", event: object as PiEvent }
}

export const encodePiCommand = (command: PiCommand, id?: string): string =>
  `${JSON.stringify(id === undefined ? command : { ...command, id })}\n`

/** Matches responses to pending commands by the ids it hands out. */
export class PiRequests {
  #next = 0
  readonly #pending = new Map<string, Deferred.Deferred<PiResponse>>()

  /** A fresh id and the Deferred its response will complete. */
  open(): { readonly id: string; readonly response: Deferred.Deferred<PiResponse> } {
    this.#next += 1
    const id = `pp-${this.#next}`
    const response = Deferred.makeUnsafe<PiResponse>()
    this.#pending.set(id, response)
    return { id, response }
  }

  forget(id: string): void {
    this.#pending.delete(id)
  }

  /** Completes the command that asked; responses nobody waits for are ignored. */
  settle(response: PiResponse): Effect.Effect<void> {
    const id = response.id
    if (id === undefined) return Effect.void
    const waiting = this.#pending.get(id)
    if (waiting === undefined) return Effect.void
    this.#pending.delete(id)
    return Deferred.succeed(waiting, response).pipe(Effect.asVoid)
  }

  /** The process is gone: every waiting command gets a failed response. */
  failAll(error: string): Effect.Effect<void> {
    const waiting = [...this.#pending.entries()]
    this.#pending.clear()
    return Effect.forEach(
      waiting,
      ([id, deferred]) =>
        Deferred.succeed(deferred, { type: "response", id, command: "", success: false, error }),
      { discard: true },
    )
  }
}
