// The local operator's secret. Without WorkOS, on a loopback address,
// PatchPlane has one operator: the person who started it. Being on this
// machine is not proof of that — a run's sandbox, a git hook or any local
// process can reach loopback — so, like Jupyter, each start makes a random
// token (or takes api.localToken), prints it as a sign-in URL, and the one
// visit to `/?token=…` turns it into an HttpOnly, SameSite=Strict cookie.
// Scripts may send it as `Authorization: Bearer <token>` instead.
import { randomBytes, timingSafeEqual } from "node:crypto"
import type { IncomingMessage, ServerResponse } from "node:http"
import { Redacted } from "effect"
import { readCookie } from "../cookies.ts"

export interface LocalOperator {
  readonly token: Redacted.Redacted<string>
  /** Per port: cookies ignore ports, and two PatchPlanes on one machine have two operators' tokens. */
  readonly cookieName: string
}

export const createLocalOperator = (
  configured: Redacted.Redacted<string> | null,
  port: number,
): LocalOperator => ({
  token: configured ?? Redacted.make(randomBytes(32).toString("base64url")),
  cookieName: `patchplane_local_${port}`,
})

/** The URL to open: signs the browser in, then shows the dashboard. */
export const localSignInUrl = (local: LocalOperator, baseUrl: string): string =>
  `${baseUrl}/?token=${encodeURIComponent(Redacted.value(local.token))}`

export const sameSecret = (a: string, b: string): boolean => {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

export const isLocalToken = (local: LocalOperator, candidate: string): boolean =>
  sameSecret(Redacted.value(local.token), candidate)

/** The cookie the sign-in URL set, if it holds this start's token. */
export const hasLocalCookie = (local: LocalOperator, req: IncomingMessage): boolean => {
  const value = readCookie(req, local.cookieName)
  return value !== undefined && isLocalToken(local, value)
}

/**
 * `GET /any/page?token=…`: a right token becomes the cookie and the browser is
 * sent on to the same page without it (so the token leaves the address bar
 * and history); a wrong one is refused. Returns false for other requests.
 */
export const handleLocalSignIn = (
  local: LocalOperator,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): boolean => {
  if (req.method !== "GET" || url.pathname.startsWith("/api/")) return false
  const given = url.searchParams.get("token")
  if (given === null) return false
  if (!isLocalToken(local, given)) {
    res.writeHead(403, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" })
    res.end(
      "This sign-in link is not valid for this PatchPlane: it prints a new one every time it starts (or set api.localToken).\n",
    )
    return true
  }
  url.searchParams.delete("token")
  res.writeHead(303, {
    location: `${url.pathname}${url.search}`,
    "set-cookie": [
      `${local.cookieName}=${encodeURIComponent(given)}`,
      "Path=/",
      "HttpOnly",
      "SameSite=Strict",
    ].join("; "),
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
  })
  res.end()
  return true
}
