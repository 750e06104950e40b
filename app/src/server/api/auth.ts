// Who is calling, and may they? Roles (SPEC "Security"): admin (all),
// reviewer (approve, reject, cancel, redirect, start), viewer (read).
// Sources: a bearer token from `api.tokens`; without one, the local operator
// (admin) — only for requests from this machine, and only while no
// multi-user sign-in (WorkOS) is configured.
import { timingSafeEqual } from "node:crypto"
import type { IncomingMessage } from "node:http"
import { Redacted } from "effect"
import type { ResolvedConfig } from "../../config/load-config.ts"
import { ApiError } from "./http-json.ts"

export type Role = "admin" | "reviewer" | "viewer"

export interface Caller {
  readonly id: string
  readonly name: string
  readonly role: Role
}

const RANK: Record<Role, number> = { viewer: 0, reviewer: 1, admin: 2 }

const sameSecret = (a: string, b: string) => {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

const isLoopback = (address: string | undefined) =>
  address === "127.0.0.1" || address === "::1" || address === "::ffff:127.0.0.1"

export type Authenticate = (req: IncomingMessage) => Caller

export const makeAuthenticator =
  (config: ResolvedConfig): Authenticate =>
  (req) => {
    const header = req.headers.authorization
    if (header !== undefined) {
      const token = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim() ?? ""
      const match = config.api.tokens.find((t) => sameSecret(Redacted.value(t.token), token))
      if (match === undefined) throw new ApiError(401, "unauthenticated", "unknown API token")
      return { id: `token:${match.name}`, name: match.name, role: match.role }
    }
    if (isLoopback(req.socket.remoteAddress))
      return { id: "local-operator", name: "local operator", role: "admin" }
    throw new ApiError(401, "unauthenticated", "sign in or send an API token")
  }

export const requireRole = (caller: Caller, role: Role, action: string): void => {
  if (RANK[caller.role] < RANK[role])
    throw new ApiError(
      403,
      "forbidden",
      `${action} needs the ${role} role; you are a ${caller.role}`,
    )
}
