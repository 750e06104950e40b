// Who is calling, decided the way GitHub decides it: an App JWT (RS256, `iss`
// = App id, unexpired, at most ten minutes long), an installation token
// (`ghs_…`) with its repositories and permissions, or nobody.
import { createPublicKey, randomBytes, verify, type KeyObject } from "node:crypto"
import type { Installation, Level, Permissions, Store, Token } from "./state.ts"

export type Caller =
  | { readonly kind: "anonymous" }
  | { readonly kind: "app" }
  | { readonly kind: "installation"; readonly token: Token }
  | { readonly kind: "invalid"; readonly status: 401; readonly message: string }

export interface AuthSettings {
  readonly appId: number
  /** When given, JWT signatures are verified; otherwise only the claims are checked. */
  readonly publicKey: KeyObject | null
}

export const publicKeyOf = (pem: string | undefined): KeyObject | null =>
  pem === undefined ? null : createPublicKey(pem)

const decodePart = (part: string): Record<string, unknown> | null => {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"))
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : null
  } catch {
    return null
  }
}

const bad = (message: string): Caller => ({ kind: "invalid", status: 401, message })

/** Checks an App JWT like GitHub; the message is GitHub's wording for each failure. */
export const checkAppJwt = (jwt: string, settings: AuthSettings, now = Date.now()): Caller => {
  const [head = "", payload = "", signature = ""] = jwt.split(".")
  const header = decodePart(head)
  const claims = decodePart(payload)
  if (header === null || claims === null || signature === "" || header.alg !== "RS256")
    return bad("A JSON web token could not be decoded")
  if (
    settings.publicKey !== null &&
    !verify(
      "RSA-SHA256",
      Buffer.from(`${head}.${payload}`),
      settings.publicKey,
      Buffer.from(signature, "base64url"),
    )
  )
    return bad("A JSON web token could not be decoded")
  const seconds = Math.floor(now / 1000)
  if (typeof claims.exp !== "number" || claims.exp <= seconds)
    return bad(
      "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
    )
  if (claims.exp - seconds > 600 + 60)
    return bad("'Expiration time' claim ('exp') is too far in the future")
  if (typeof claims.iat === "number" && claims.iat > seconds + 60)
    return bad(
      "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued",
    )
  if (String(claims.iss) !== String(settings.appId))
    return bad(`'Issuer' claim ('iss') must be an Integer or String value of the App ID`)
  return { kind: "app" }
}

/** Resolves the Authorization header of an API request. */
export const callerOf = (
  authorization: string | undefined,
  store: Store,
  settings: AuthSettings,
): Caller => {
  if (authorization === undefined || authorization.trim() === "") return { kind: "anonymous" }
  const [scheme = "", credential = ""] = authorization.trim().split(/\s+/, 2)
  const lower = scheme.toLowerCase()
  if (lower === "bearer" && credential.split(".").length === 3)
    return checkAppJwt(credential, settings)
  if (lower !== "bearer" && lower !== "token") return bad("Bad credentials")
  return tokenCaller(credential, store)
}

export const tokenCaller = (credential: string, store: Store): Caller => {
  const token = store.tokens.get(credential)
  if (token === undefined || token.expiresAt.getTime() <= Date.now()) return bad("Bad credentials")
  return { kind: "installation", token }
}

/** The token in `Authorization: Basic base64(user:token)`, as git sends it. */
export const basicPassword = (authorization: string | undefined): string | null => {
  const match = /^basic\s+(\S+)$/i.exec(authorization?.trim() ?? "")
  if (match === null) return null
  const decoded = Buffer.from(match[1] ?? "", "base64").toString("utf8")
  const colon = decoded.indexOf(":")
  return colon === -1 ? null : decoded.slice(colon + 1)
}

export const allows = (granted: Level | undefined, needed: Level): boolean =>
  granted === "write" || (granted === "read" && needed === "read")

export type IssueResult =
  | { readonly ok: true; readonly token: Token }
  | { readonly ok: false; readonly status: 404 | 422; readonly message: string }

/** Issues an installation token narrowed to the requested repositories and permissions. */
export const issueToken = (
  store: Store,
  installation: Installation,
  request: {
    readonly repositories?: ReadonlyArray<string>
    readonly repositoryIds?: ReadonlyArray<number>
    readonly permissions?: Readonly<Record<string, string>>
  },
  ttlSeconds: number,
): IssueResult => {
  const own = [...store.repositories.values()].filter((r) => r.installationId === installation.id)
  let ids: Set<number> | null = null
  if (request.repositories !== undefined || request.repositoryIds !== undefined) {
    ids = new Set()
    for (const name of request.repositories ?? []) {
      const repo = own.find((r) => r.name.toLowerCase() === name.toLowerCase())
      if (repo === undefined)
        return {
          ok: false,
          status: 422,
          message:
            "There is at least one repository that does not exist or is not accessible to the parent installation.",
        }
      ids.add(repo.id)
    }
    for (const id of request.repositoryIds ?? []) {
      if (!own.some((r) => r.id === id))
        return {
          ok: false,
          status: 422,
          message:
            "There is at least one repository that does not exist or is not accessible to the parent installation.",
        }
      ids.add(id)
    }
  }
  const permissions: Record<string, Level> = {}
  for (const [name, level] of Object.entries(request.permissions ?? installation.permissions)) {
    if ((level !== "read" && level !== "write") || !allows(installation.permissions[name], level))
      return {
        ok: false,
        status: 422,
        message: "The permissions requested are not granted to this installation.",
      }
    permissions[name] = level
  }
  permissions.metadata ??= "read" // every installation token can read metadata
  const token: Token = {
    token: `ghs_${randomBytes(18).toString("base64url").replace(/[-_]/g, "0")}`,
    installationId: installation.id,
    repositoryIds: ids,
    permissions: permissions satisfies Permissions,
    expiresAt: new Date(Date.now() + ttlSeconds * 1000),
  }
  store.tokens.set(token.token, token)
  return { ok: true, token }
}
