// The model gateway: an OpenAI-compatible `/v1/chat/completions` endpoint
// served by the control plane. Agents in sandboxes hold a per-run token
// (gateway-token.ts), never a provider key; the gateway checks the token and
// the run's budget, forwards the request to the configured provider with the
// real key, streams the answer back, and records the provider's usage
// figures per call (model_calls) and per session (runtime_sessions). Once a
// run's token or cost budget is spent it answers 429 with
// `code: "patchplane_budget_exhausted"` and forwards nothing more.
//
// Plain Node HTTP (req, res) so it can be mounted on the main server and on
// the local sandbox's relay socket alike.
import { randomBytes } from "node:crypto"
import type { IncomingMessage, ServerResponse } from "node:http"
import { type Executor, getRuntimeSession, recordModelCall, runModelUsage } from "@patchplane/db"
import { Context, Effect, Layer, Redacted } from "effect"
import { Database } from "../platform/database.ts"
import { BodyTooLarge, readBoundedBody, sendJson } from "../platform/http-json.ts"
import { anthropicMessagesProtocol } from "./anthropic-messages.ts"
import { type CallUsage, type GatewayProtocol, LineRelay } from "./gateway-protocol.ts"
import { type RunTokenClaims, signRunToken, verifyRunToken } from "./gateway-token.ts"

export interface ModelPricing {
  /** US dollars per million input (prompt) tokens. */
  readonly inputUsdPerMTok: number
  /** US dollars per million output (completion) tokens. */
  readonly outputUsdPerMTok: number
}

export interface ModelGatewayOptions {
  readonly db: Executor
  /** The provider: an OpenAI-compatible base URL (ending in /v1) and its key. */
  readonly upstream: {
    readonly baseUrl: string
    readonly apiKey: Redacted.Redacted<string> | null
    /**
     * The provider's Anthropic Messages base URL (ending in /v1), for
     * runtimes that speak that protocol (Claude Code); default `baseUrl`.
     */
    readonly anthropicBaseUrl?: string
  }
  /** HMAC key of the run tokens; default: random per process (tokens die with it). */
  readonly secret?: Redacted.Redacted<string>
  /** Where the gateway is mounted (default "/api/model-gateway"); Pi's baseUrl is `<basePath>/v1`. */
  readonly basePath?: string
  /** Used when the provider's usage carries no `cost` (default: free). */
  readonly pricing?: ModelPricing
  readonly clock?: () => Date
  readonly fetch?: typeof fetch
  /** Largest request body accepted (default 32 MiB). */
  readonly maxRequestBytes?: number
  /** Retries of a provider call that failed before answering (network, 429, 5xx); default 2. */
  readonly upstreamRetries?: number
  /**
   * A provider that sends nothing for this long — no answer, or no stream
   * chunk — is cut off (504): the session ends with the reason instead of
   * hanging until the turn's time budget (default 120 s).
   */
  readonly upstreamIdleTimeoutMs?: number
  /** First retry delay, doubled each time (default 500 ms). */
  readonly retryBaseMs?: number
  /** Accounting failures (the call was served but could not be recorded). */
  readonly onError?: (error: unknown) => void
}

export interface IssueRunToken {
  readonly runId: string
  readonly sessionId: string
  readonly expiresAt: Date
  readonly budget: RunTokenClaims["budget"]
}

export interface ModelGatewayShape {
  readonly basePath: string
  /** Serves paths under `basePath`; false (and nothing written) for any other path. */
  readonly handle: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>
  readonly issueRunToken: (claims: IssueRunToken) => Redacted.Redacted<string>
  /**
   * Refuses the session's token from now on, before its end reaches the
   * database: a session being stopped must not start another model call.
   */
  readonly revokeSession: (sessionId: string) => void
}

export const budgetExhaustedCode = "patchplane_budget_exhausted"
const retryable = new Set([429, 500, 502, 503, 504])

const errorBody = (message: string, type: string, code: string) => ({
  error: { message, type, code },
})

const refuseSession = (protocol: Pick<GatewayProtocol, "errorBody">, res: ServerResponse) =>
  sendJson(
    res,
    401,
    protocol.errorBody(
      "the run's session has ended",
      "authentication_error",
      "patchplane_session_ended",
    ),
  )

const int = (n: unknown) => (typeof n === "number" && Number.isFinite(n) && n > 0 ? n : 0)

/** The provider's usage object, wherever this chunk or completion carries it. */
const usageOf = (value: unknown): CallUsage | null => {
  if (typeof value !== "object" || value === null) return null
  const container = value as { usage?: unknown; choices?: Array<{ usage?: unknown }> }
  const usage = (container.usage ?? container.choices?.[0]?.usage) as
    | { prompt_tokens?: unknown; completion_tokens?: unknown; cost?: unknown }
    | null
    | undefined
  if (typeof usage !== "object" || usage === null) return null
  return {
    inputTokens: Math.round(int(usage.prompt_tokens)),
    outputTokens: Math.round(int(usage.completion_tokens)),
    costUsd: typeof usage.cost === "number" && Number.isFinite(usage.cost) ? usage.cost : null,
  }
}

/** OpenAI chat completions: usage in a chunk's `usage`, the stream ends at `data: [DONE]`. */
export class SseRelay extends LineRelay {
  usage: CallUsage | null = null
  protected readonly closingLine = "data: [DONE]"
  protected scanData(payload: unknown): void {
    const found = usageOf(payload)
    if (found !== null) this.usage = found
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export const createModelGateway = (options: ModelGatewayOptions): ModelGatewayShape => {
  const basePath = (options.basePath ?? "/api/model-gateway").replace(/\/+$/, "")
  const secret =
    options.secret === undefined
      ? randomBytes(32)
      : Buffer.from(Redacted.value(options.secret), "utf8")
  const clock = options.clock ?? (() => new Date())
  const doFetch = options.fetch ?? fetch
  const maxBody = options.maxRequestBytes ?? 32 * 1024 * 1024
  const retries = options.upstreamRetries ?? 2
  const retryBaseMs = options.retryBaseMs ?? 500
  const idleTimeoutMs = options.upstreamIdleTimeoutMs ?? 120_000
  const onError = options.onError ?? ((error: unknown) => console.error("model gateway:", error))
  const upstreamUrl = `${options.upstream.baseUrl.replace(/\/+$/, "")}/chat/completions`
  // Revoked sessions, by when; an entry is only needed until the session's
  // endedAt is in the database, so old ones are dropped.
  const revoked = new Map<string, number>()
  const revokedTtlMs = 60 * 60 * 1000
  const isRevoked = (sessionId: string) => revoked.has(sessionId)
  const providerKey = options.upstream.apiKey

  const costOf = (usage: CallUsage) =>
    usage.costUsd ??
    (options.pricing === undefined
      ? 0
      : (usage.inputTokens * options.pricing.inputUsdPerMTok +
          usage.outputTokens * options.pricing.outputUsdPerMTok) /
        1_000_000)

  const record = async (
    claims: RunTokenClaims,
    model: string,
    status: number,
    started: number,
    usage: CallUsage | null,
  ) => {
    try {
      await recordModelCall(options.db, {
        workflowRunId: claims.runId,
        runtimeSessionId: claims.sessionId,
        model,
        inputTokens: usage?.inputTokens ?? 0,
        outputTokens: usage?.outputTokens ?? 0,
        costUsd: usage === null ? 0 : costOf(usage),
        status,
        durationMs: Math.round(performance.now() - started),
      })
    } catch (error) {
      onError(error)
    }
  }

  /** The token's claims, or null when refused (already answered). */
  const verifyToken = (
    protocol: GatewayProtocol,
    req: IncomingMessage,
    res: ServerResponse,
  ): RunTokenClaims | null => {
    const header = req.headers.authorization ?? ""
    const token = header.startsWith("Bearer ") ? header.slice(7).trim() : ""
    const check = verifyRunToken(secret, token, clock())
    if (check.ok) return check.claims
    const message =
      check.reason === "expired"
        ? "the run token has expired"
        : "a valid PatchPlane run token is required"
    sendJson(
      res,
      401,
      protocol.errorBody(message, "authentication_error", "patchplane_invalid_token"),
    )
    return null
  }

  /** One provider call with retries while nothing has been sent back yet. */
  const callUpstream = async (
    url: string,
    providerHeaders: Record<string, string>,
    body: string,
    signal: AbortSignal,
  ): Promise<Response> => {
    for (let attempt = 0; ; attempt += 1) {
      try {
        const response = await doFetch(url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            accept: "application/json, text/event-stream",
            ...providerHeaders,
          },
          body,
          signal,
        })
        if (attempt >= retries || !retryable.has(response.status)) return response
        await response.body?.cancel()
      } catch (error) {
        if (attempt >= retries || signal.aborted) throw error
      }
      await sleep(retryBaseMs * 2 ** attempt)
    }
  }

  /** OpenAI chat completions: what Pi speaks, and what `upstream.baseUrl` serves. */
  const openAiChat: GatewayProtocol = {
    name: "OpenAI chat completions",
    upstreamUrl: () => upstreamUrl,
    upstreamHeaders: () =>
      providerKey === null ? {} : { authorization: `Bearer ${Redacted.value(providerKey)}` },
    prepare: (request, left) => {
      // Usage must come back on streams too: it is what the budget is counted in.
      if (request.stream === true)
        request.stream_options = {
          ...(typeof request.stream_options === "object" ? request.stream_options : {}),
          include_usage: true,
        }
      // One answer may not spend more than what is left of the token budget.
      for (const field of ["max_completion_tokens", "max_tokens"])
        if (typeof request[field] === "number" && (request[field] as number) > left)
          request[field] = left
    },
    usageOf,
    relay: () => new SseRelay(),
    errorBody,
  }
  const anthropic = anthropicMessagesProtocol({
    baseUrl: options.upstream.anthropicBaseUrl ?? options.upstream.baseUrl,
    apiKey: providerKey === null ? null : Redacted.value(providerKey),
  })

  const serveCall = async (
    protocol: GatewayProtocol,
    req: IncomingMessage,
    res: ServerResponse,
  ) => {
    const started = performance.now()
    const claims = verifyToken(protocol, req, res)
    if (claims === null) return
    // The session check, the run's spending so far and the body, side by side.
    const [session, spent, body] = await Promise.all([
      getRuntimeSession(options.db, claims.sessionId),
      runModelUsage(options.db, claims.runId),
      readBoundedBody(req, maxBody).catch((error: unknown) =>
        error instanceof Error ? error : new Error(String(error)),
      ),
    ])
    if (
      isRevoked(claims.sessionId) ||
      session === undefined ||
      session.workflowRunId !== claims.runId ||
      session.endedAt !== null
    )
      return refuseSession(protocol, res)
    let request: Record<string, unknown>
    try {
      if (body instanceof Error) throw body
      const parsed: unknown = JSON.parse(body.toString("utf8"))
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
        throw new Error("the body must be a JSON object")
      request = parsed as Record<string, unknown>
    } catch (error) {
      const tooLarge = error instanceof BodyTooLarge
      return sendJson(
        res,
        tooLarge ? 413 : 400,
        protocol.errorBody(
          tooLarge
            ? `request body over ${error.limit} bytes`
            : `invalid request body: ${(error as Error).message}`,
          "invalid_request_error",
          tooLarge ? "patchplane_body_too_large" : "patchplane_invalid_body",
        ),
      )
    }
    const model = typeof request.model === "string" ? request.model : "(none)"

    const tokens = spent.inputTokens + spent.outputTokens
    const { maxTokens, maxCostUsd } = claims.budget
    if (tokens >= maxTokens || spent.costUsd >= maxCostUsd) {
      const which =
        tokens >= maxTokens
          ? `token budget spent (${tokens} of ${maxTokens} tokens)`
          : `cost budget spent ($${spent.costUsd.toFixed(4)} of $${maxCostUsd})`
      await record(claims, model, 429, started, null)
      // x-should-retry: OpenAI clients would otherwise retry a 429.
      return sendJson(
        res,
        429,
        protocol.errorBody(
          `PatchPlane model budget exhausted: ${which} [${budgetExhaustedCode}]`,
          "budget_exhausted",
          budgetExhaustedCode,
        ),
        { "x-should-retry": "false" },
      )
    }

    if (isRevoked(claims.sessionId)) return refuseSession(protocol, res)

    protocol.prepare(request, maxTokens - tokens)

    const abort = new AbortController()
    res.on("close", () => {
      if (!res.writableFinished) abort.abort()
    })
    // Re-armed by every sign of life from the provider.
    const stall = new AbortController()
    let idle: NodeJS.Timeout | undefined
    const alive = () => {
      clearTimeout(idle)
      idle = setTimeout(() => stall.abort(), idleTimeoutMs)
    }
    const silent = `the model provider sent nothing for ${Math.round(idleTimeoutMs / 1000)} s`
    alive()
    let upstream: Response
    try {
      const search = new URL(req.url ?? "/", "http://gateway").search
      upstream = await callUpstream(
        protocol.upstreamUrl(search),
        protocol.upstreamHeaders(req),
        JSON.stringify(request),
        AbortSignal.any([abort.signal, stall.signal]),
      )
    } catch (error) {
      clearTimeout(idle)
      const stalled = stall.signal.aborted
      await record(claims, model, stalled ? 504 : abort.signal.aborted ? 499 : 502, started, null)
      return sendJson(
        res,
        stalled ? 504 : 502,
        protocol.errorBody(
          stalled ? silent : `the model provider could not be reached: ${(error as Error).message}`,
          "upstream_error",
          stalled ? "patchplane_upstream_timeout" : "patchplane_upstream_unreachable",
        ),
      )
    }
    alive()

    const contentType = upstream.headers.get("content-type") ?? "application/json"
    const isStream = upstream.ok && contentType.includes("text/event-stream")
    if (!isStream) {
      const text = await upstream.text().catch(() => "")
      clearTimeout(idle)
      let usage: CallUsage | null = null
      try {
        usage = upstream.ok ? protocol.usageOf(JSON.parse(text)) : null
      } catch {
        usage = null
      }
      await record(claims, model, upstream.status, started, usage)
      if (!res.headersSent) res.writeHead(upstream.status, { "content-type": contentType })
      res.end(text)
      return
    }

    res.writeHead(upstream.status, {
      "content-type": contentType,
      "cache-control": "no-cache",
    })
    const relay = protocol.relay()
    const decoder = new TextDecoder()
    const send = async (text: string) => {
      if (text === "" || res.write(text)) return
      await new Promise((resolve) => {
        res.once("drain", resolve)
        res.once("close", resolve)
      })
    }
    try {
      for await (const chunk of upstream.body ?? []) {
        alive()
        await send(relay.push(decoder.decode(chunk as Uint8Array, { stream: true })))
        if (res.destroyed) throw new Error("the client went away")
      }
    } catch {
      // The client went away (499), the provider fell silent (504) or broke off
      // mid-stream (502). The provider's usage figure comes last, so a cut
      // stream may count nothing.
      clearTimeout(idle)
      const status = stall.signal.aborted ? 504 : abort.signal.aborted || res.destroyed ? 499 : 502
      await record(claims, model, status, started, relay.usage)
      res.destroy()
      return
    }
    clearTimeout(idle)
    const rest = relay.push(decoder.decode()) + relay.end()
    await record(claims, model, upstream.status, started, relay.usage)
    res.end(rest)
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const path = new URL(req.url ?? "/", "http://gateway").pathname
    if (path !== basePath && !path.startsWith(`${basePath}/`)) return false
    try {
      if (path === `${basePath}/v1/chat/completions` && req.method === "POST")
        await serveCall(openAiChat, req, res)
      else if (path === `${basePath}/v1/messages` && req.method === "POST")
        await serveCall(anthropic, req, res)
      else
        sendJson(
          res,
          404,
          errorBody(
            `the model gateway serves POST ${basePath}/v1/chat/completions and ${basePath}/v1/messages only`,
            "invalid_request_error",
            "patchplane_not_found",
          ),
        )
    } catch (error) {
      onError(error)
      sendJson(res, 500, errorBody("model gateway error", "server_error", "patchplane_error"))
    }
    return true
  }

  return {
    basePath,
    handle,
    issueRunToken: (claims) => Redacted.make(signRunToken(secret, claims)),
    revokeSession: (sessionId) => {
      const now = Date.now()
      for (const [id, at] of revoked) if (now - at > revokedTtlMs) revoked.delete(id)
      revoked.set(sessionId, now)
    },
  }
}

/** The gateway as a service: the Pi runtime routes its sandboxes through it. */
export class ModelGateway extends Context.Service<ModelGateway, ModelGatewayShape>()(
  "@patchplane/app/ModelGateway",
) {
  /** A gateway on the app's database. */
  static readonly layer = (options: Omit<ModelGatewayOptions, "db">) =>
    Layer.effect(
      ModelGateway,
      Effect.gen(function* () {
        const { db } = yield* Database
        return createModelGateway({ ...options, db })
      }),
    )

  static readonly layerValue = (gateway: ModelGatewayShape) => Layer.succeed(ModelGateway, gateway)
}
