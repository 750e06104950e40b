// The per-run model gateway token: what the agent holds instead of a provider
// key. Stateless and HMAC-signed with the gateway's secret, so it names its
// run, session and budget, cannot be altered, expires with the run, and is
// worth nothing anywhere but this gateway (the gateway also refuses it once
// the session has ended).
//
// The format is `pp1.<payload>.<signature>` (base64url). Pi reads its apiKey
// as a shell command when it starts with "!" and as an environment variable
// when it names one; a token starts with "pp1." and contains dots, so it is
// neither.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto"

export interface RunBudget {
  /** Input + output tokens the run may spend. */
  readonly maxTokens: number
  readonly maxCostUsd: number
}

export interface RunTokenClaims {
  readonly runId: string
  readonly sessionId: string
  readonly expiresAt: Date
  readonly budget: RunBudget
}

export type TokenCheck =
  | { readonly ok: true; readonly claims: RunTokenClaims }
  | { readonly ok: false; readonly reason: "malformed" | "bad-signature" | "expired" }

const prefix = "pp1"
export const runTokenPattern = /^pp1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

const sign = (secret: Uint8Array, payload: string) =>
  createHmac("sha256", secret).update(`${prefix}.${payload}`).digest()

export const signRunToken = (secret: Uint8Array, claims: RunTokenClaims): string => {
  const payload = Buffer.from(
    JSON.stringify({
      r: claims.runId,
      s: claims.sessionId,
      e: claims.expiresAt.getTime(),
      t: claims.budget.maxTokens,
      c: claims.budget.maxCostUsd,
      // Two tokens for the same claims still differ.
      n: randomBytes(9).toString("base64url"),
    }),
  ).toString("base64url")
  return `${prefix}.${payload}.${sign(secret, payload).toString("base64url")}`
}

const isClaims = (
  value: unknown,
): value is { r: string; s: string; e: number; t: number; c: number } => {
  if (typeof value !== "object" || value === null) return false
  const v = value as Record<string, unknown>
  return (
    typeof v.r === "string" &&
    typeof v.s === "string" &&
    typeof v.e === "number" &&
    typeof v.t === "number" &&
    typeof v.c === "number"
  )
}

export const verifyRunToken = (secret: Uint8Array, token: string, now: Date): TokenCheck => {
  if (!runTokenPattern.test(token)) return { ok: false, reason: "malformed" }
  const [, payload = "", signature = ""] = token.split(".")
  const expected = sign(secret, payload)
  const given = Buffer.from(signature, "base64url")
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: "bad-signature" }
  let decoded: unknown
  try {
    decoded = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"))
  } catch {
    return { ok: false, reason: "malformed" }
  }
  if (!isClaims(decoded)) return { ok: false, reason: "malformed" }
  if (decoded.e <= now.getTime()) return { ok: false, reason: "expired" }
  return {
    ok: true,
    claims: {
      runId: decoded.r,
      sessionId: decoded.s,
      expiresAt: new Date(decoded.e),
      budget: { maxTokens: decoded.t, maxCostUsd: decoded.c },
    },
  }
}
