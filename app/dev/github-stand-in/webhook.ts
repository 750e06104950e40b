// Webhook deliveries as GitHub sends them: JSON body, X-Hub-Signature-256
// (HMAC-SHA256 of the exact bytes), X-GitHub-Event / -Delivery / -Hook-*
// headers and a Hookshot user agent.
import { createHmac, randomUUID } from "node:crypto"

export interface WebhookInput {
  readonly url: string
  readonly secret: string
  readonly event: string
  /** An object (serialized once, and those bytes are signed) or the exact body. */
  readonly payload: unknown
  /** X-GitHub-Delivery; a fresh UUID when omitted. */
  readonly deliveryId?: string
  readonly hookId?: number
  readonly appId?: number
}

export interface WebhookResult {
  readonly status: number
  /** The parsed JSON answer, or the text when it is not JSON. */
  readonly body: unknown
  readonly deliveryId: string
  readonly durationMs: number
}

export const signWebhook = (body: string, secret: string): string =>
  `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`

export const sendWebhook = async (input: WebhookInput): Promise<WebhookResult> => {
  const body = typeof input.payload === "string" ? input.payload : JSON.stringify(input.payload)
  const deliveryId = input.deliveryId ?? randomUUID()
  const started = performance.now()
  const res = await fetch(input.url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "user-agent": "GitHub-Hookshot/stand-in",
      "x-github-event": input.event,
      "x-github-delivery": deliveryId,
      "x-github-hook-id": String(input.hookId ?? 1),
      "x-github-hook-installation-target-type": "integration",
      "x-github-hook-installation-target-id": String(input.appId ?? 1),
      "x-hub-signature": `sha1=${createHmac("sha1", input.secret).update(body).digest("hex")}`,
      "x-hub-signature-256": signWebhook(body, input.secret),
    },
    body,
  })
  const text = await res.text()
  let parsed: unknown = text
  try {
    parsed = JSON.parse(text)
  } catch {
    // not JSON: keep the text
  }
  return {
    status: res.status,
    body: parsed,
    deliveryId,
    durationMs: Math.round(performance.now() - started),
  }
}
