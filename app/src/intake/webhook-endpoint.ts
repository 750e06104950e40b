// POST /api/github/webhooks. Checks, cheapest first, each with a clear 4xx:
// method (405) → content type (415) → GitHub headers (400) → body size (413)
// → signature (401; nothing stored, only the delivery id and reason logged)
// → JSON (400). A verified delivery is recorded once by X-GitHub-Delivery; a
// redelivery answers 200 without new work. Then Probot routes the event to
// our handlers and the outcome lands on the delivery row.
import type { IncomingMessage, ServerResponse } from "node:http"
import { decodeSyncWith } from "@patchplane/domain"
import { type Probot, verifySignature } from "../github/probot.ts"
import { BodyTooLarge, readBoundedBody, sendJson } from "../platform/http-json.ts"
import type { Logger } from "../platform/logger.ts"
import type { Outcome } from "./command-handler.ts"
import type { DeliveryLog } from "./delivery-log.ts"
import { inertReason } from "./inert-delivery.ts"
import { DeliveryEnvelope } from "./webhook-payloads.ts"

export interface WebhookEndpointDeps {
  readonly probot: Probot
  readonly deliveries: DeliveryLog
  readonly log: Logger
  readonly maxBodyBytes: number
  /** Where handlers leave each delivery's outcome for the endpoint to record. */
  readonly outcomes: Map<string, Outcome>
  /**
   * GitHub gives up on a delivery after 10 s. Handling still running after this
   * long answers 202 and finishes in the background, recording its outcome.
   */
  readonly answerWithinMs?: number
}

const REQUIRED_HEADERS = ["x-github-event", "x-github-delivery", "x-hub-signature-256"] as const
const JSON_TYPE = /^\s*application\/json\s*(?:;|$)/i

const send = (res: ServerResponse, status: number, body: Record<string, unknown>) =>
  sendJson(res, status, body)

const decodeEnvelope = decodeSyncWith(DeliveryEnvelope, "webhook payload", { excess: "ignore" })

export const createWebhookEndpoint =
  (deps: WebhookEndpointDeps) =>
  async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== "POST") {
      res.setHeader("allow", "POST")
      return send(res, 405, { error: "method not allowed; GitHub webhooks are POSTed" })
    }
    if (!JSON_TYPE.test(req.headers["content-type"] ?? ""))
      return send(res, 415, {
        error: 'unsupported content type: configure the webhook with "application/json"',
      })
    const missing = REQUIRED_HEADERS.filter((name) => typeof req.headers[name] !== "string")
    if (missing.length > 0)
      return send(res, 400, { error: `missing GitHub headers: ${missing.join(", ")}` })
    const event = req.headers["x-github-event"] as string
    const deliveryId = req.headers["x-github-delivery"] as string
    const signature = req.headers["x-hub-signature-256"] as string
    const log = deps.log.child({ deliveryId, event })

    let body: string
    try {
      body = (await readBoundedBody(req, deps.maxBodyBytes)).toString("utf8")
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) throw error
      log.warn({ limit: deps.maxBodyBytes }, "webhook refused: body too large")
      res.setHeader("connection", "close")
      return send(res, 413, { error: `body exceeds ${deps.maxBodyBytes} bytes` })
    }

    if (!(await verifySignature(deps.probot, body, signature))) {
      log.warn("webhook refused: signature does not match the configured secret")
      return send(res, 401, { error: "signature does not match the configured webhook secret" })
    }

    let payload: Record<string, unknown>
    try {
      const parsed: unknown = JSON.parse(body)
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
        throw new Error("not a JSON object")
      payload = parsed as Record<string, unknown>
    } catch (error) {
      log.warn({ reason: String(error) }, "webhook refused: malformed JSON")
      return send(res, 400, { error: `malformed JSON body: ${(error as Error).message}` })
    }

    let envelope: typeof DeliveryEnvelope.Type = {}
    try {
      envelope = decodeEnvelope(payload)
    } catch {
      // The envelope only fills diagnostic columns; the handlers decode what they use.
    }
    const row = {
      deliveryId,
      event,
      action: envelope.action ?? null,
      installationId: envelope.installation?.id ?? null,
      repositoryFullName: envelope.repository?.full_name ?? null,
    }
    const inert = inertReason(event, payload)
    if (inert !== null) {
      const stored = await deps.deliveries.recordInert({ ...row, error: inert })
      log.info({ outcome: "ignored", note: inert, duplicate: !stored.firstSeen }, "webhook handled")
      return send(
        res,
        200,
        stored.firstSeen ? { ok: true, outcome: "ignored" } : { ok: true, duplicate: true },
      )
    }
    const recorded = await deps.deliveries.record(row)
    if (!recorded.firstSeen && !recorded.retried) {
      log.info("redelivery of a known delivery: nothing to do")
      return send(res, 200, { ok: true, duplicate: true })
    }

    const handled = handle(deps, { deliveryId, event, payload, log })
    let timer: NodeJS.Timeout | undefined
    const slow = new Promise<"slow">((resolve) => {
      timer = setTimeout(() => resolve("slow"), deps.answerWithinMs ?? 8_000)
    })
    const first = await Promise.race([handled, slow])
    clearTimeout(timer)
    if (first === "slow") {
      log.warn("handling is slow: answered 202, finishing in the background")
      return send(res, 202, { ok: true, status: "processing" })
    }
    return first.ok
      ? send(res, 200, { ok: true, outcome: first.outcome })
      : send(res, 500, { error: `handling failed: ${first.reason}` })
  }

const handle = async (
  deps: WebhookEndpointDeps,
  input: { deliveryId: string; event: string; payload: Record<string, unknown>; log: Logger },
): Promise<{ ok: true; outcome: Outcome["outcome"] } | { ok: false; reason: string }> => {
  const { deliveryId, log } = input
  try {
    await deps.probot.receive({
      id: deliveryId,
      name: input.event,
      payload: input.payload,
    } as Parameters<Probot["receive"]>[0])
    const outcome = deps.outcomes.get(deliveryId) ?? { outcome: "ignored", note: "no handler" }
    await deps.deliveries.finish({
      deliveryId,
      outcome: outcome.outcome,
      error: outcome.note ?? null,
    })
    log.info({ outcome: outcome.outcome, note: outcome.note }, "webhook handled")
    return { ok: true, outcome: outcome.outcome }
  } catch (error) {
    const reason = describe(error)
    log.error({ reason }, "webhook handling failed")
    await deps.deliveries.finish({ deliveryId, outcome: "failed", error: reason })
    return { ok: false, reason }
  } finally {
    deps.outcomes.delete(deliveryId)
  }
}

/** Probot wraps handler errors in an AggregateError; keep only their messages. */
const describe = (error: unknown): string => {
  if (error instanceof AggregateError && error.errors.length > 0)
    return error.errors.map((inner) => describe(inner)).join("; ")
  return error instanceof Error ? error.message : String(error)
}
