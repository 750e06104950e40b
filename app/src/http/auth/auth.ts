// Who is calling, and may they? Roles (SPEC "Security"): admin (all),
// reviewer (approve, reject, cancel, redirect, start), viewer (read).
// Sources, in order:
// - a bearer token from `api.tokens` (scripts, other services);
// - a dashboard sign-in (WorkOS session cookie), resolved before the route
//   runs by workos-session.ts and attached to the request here;
// - the local operator (admin): only while WorkOS is not configured, the
//   server listens on a loopback address, the request comes from this
//   machine addressed to a loopback host name (not a DNS-rebound one), and
//   it carries this start's local token (cookie or bearer, local-operator.ts):
//   loopback alone is not the operator, a run's sandbox reaches it too.
// Cookie-authenticated and local requests that change something must come
// from our own pages: a cross-site POST is refused (CSRF).
import type { IncomingMessage } from "node:http"
import type { Api } from "@patchplane/domain"
import { Redacted } from "effect"
import type { ResolvedConfig } from "../../config/load-config.ts"
import { ApiError } from "../api/http-json.ts"
import { hasLocalCookie, isLocalToken, type LocalOperator, sameSecret } from "./local-operator.ts"

export type Role = Api.Role
export type Caller = Api.Caller

const RANK: Record<Role, number> = { viewer: 0, reviewer: 1, admin: 2 }

export const roleAtLeast = (role: Role, needed: Role): boolean => RANK[role] >= RANK[needed]

const isLoopback = (address: string | undefined) =>
  address === "127.0.0.1" || address === "::1" || address === "::ffff:127.0.0.1"

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "::1", "[::1]"])

/** The host part of a Host header: `localhost:3000` → `localhost`, `[::1]:3000` → `[::1]`. */
const hostName = (header: string | undefined) => (header ?? "").replace(/:\d+$/, "").toLowerCase()

/** Local single-operator mode: no WorkOS, and nobody but this machine can reach the server. */
export const localOperatorMode = (config: ResolvedConfig): boolean =>
  config.workos === null && LOOPBACK_HOSTS.has(config.server.host)

// A dashboard session resolved for this request (or why it was refused).
// Keyed by the request object, so it lives exactly as long as the request.
const sessions = new WeakMap<IncomingMessage, Caller | ApiError>()

export const attachSessionCaller = (req: IncomingMessage, caller: Caller | ApiError): void =>
  void sessions.set(req, caller)

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"])

/** A browser says where a request came from; anything not this host is cross-site. */
const refuseCrossSite = (req: IncomingMessage) => {
  if (SAFE_METHODS.has(req.method ?? "GET")) return
  const site = req.headers["sec-fetch-site"]
  const origin = req.headers.origin
  const crossOrigin =
    origin !== undefined &&
    (() => {
      try {
        return new URL(origin).host.toLowerCase() !== (req.headers.host ?? "").toLowerCase()
      } catch {
        return true
      }
    })()
  if (site === "cross-site" || crossOrigin)
    throw new ApiError(403, "cross_site", "cross-site requests may not change anything")
}

export type Authenticate = (req: IncomingMessage) => Caller

const LOCAL_OPERATOR: Caller = { id: "local-operator", name: "local operator", role: "admin" }

export const makeAuthenticator =
  (config: ResolvedConfig, local: LocalOperator | null = null): Authenticate =>
  (req) => {
    const localAllowed =
      local !== null &&
      localOperatorMode(config) &&
      isLoopback(req.socket.remoteAddress) &&
      LOOPBACK_HOSTS.has(hostName(req.headers.host))
    const header = req.headers.authorization
    if (header !== undefined) {
      const token = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim() ?? ""
      const match = config.api.tokens.find((t) => sameSecret(Redacted.value(t.token), token))
      if (match !== undefined)
        return { id: `token:${match.name}`, name: match.name, role: match.role }
      // A header is never sent by a browser on its own: no CSRF check needed.
      if (localAllowed && isLocalToken(local, token)) return LOCAL_OPERATOR
      throw new ApiError(401, "unauthenticated", "unknown API token")
    }
    const session = sessions.get(req)
    if (session instanceof ApiError) throw session
    if (session !== undefined) {
      refuseCrossSite(req)
      return session
    }
    if (localAllowed && hasLocalCookie(local, req)) {
      refuseCrossSite(req)
      return LOCAL_OPERATOR
    }
    throw new ApiError(
      401,
      "unauthenticated",
      config.workos !== null
        ? "sign in or send an API token"
        : localOperatorMode(config)
          ? "open the sign-in URL PatchPlane printed when it started (it carries the local token), or send an API token"
          : "send an API token",
    )
  }

export const requireRole = (caller: Caller, role: Role, action: string): void => {
  if (!roleAtLeast(caller.role, role))
    throw new ApiError(
      403,
      "forbidden",
      `${action} needs the ${role} role; you are a ${caller.role}`,
    )
}
