// Dashboard sign-in with WorkOS AuthKit, on @workos-inc/node directly (the
// Next.js helper package does not support this SDK major). The session is a
// cookie sealed with workos.cookiePassword; its access token names the
// organization and the membership's role, which maps to ours:
//   WorkOS role slug "admin" → admin, "reviewer" → reviewer, anything else → viewer.
// Routes: GET /api/auth/login, GET /api/auth/callback, POST /api/auth/logout.
import { randomBytes, timingSafeEqual } from "node:crypto"
import type { IncomingMessage, ServerResponse } from "node:http"
import { WorkOS } from "@workos-inc/node"
import { Redacted } from "effect"
import type { ResolvedConfig } from "../../config/load-config.ts"
import type { Logger } from "../../platform/logger.ts"
import { attachSessionCaller, type Caller, type Role } from "./auth.ts"
import { ApiError, sendError } from "../api/http-json.ts"
import { cookieHeader, readCookie, replaceRequestCookie } from "../cookies.ts"

export const SESSION_COOKIE = "patchplane_session"
const STATE_COOKIE = "patchplane_auth_state"

type WorkOSSettings = NonNullable<ResolvedConfig["workos"]>

export interface SignedInUser {
  readonly workosUserId: string
  readonly email: string
  readonly name: string | null
  readonly organizationId: string
  readonly role: Role
}

export interface WorkOSSessionDeps {
  readonly workos: WorkOSSettings
  /** Where people reach this server (links, the default redirect URI). */
  readonly publicUrl: string
  readonly log: Logger
  /** Records who signed in (users, organizations, memberships). */
  readonly onSignIn?: (user: SignedInUser) => Promise<void>
}

export interface WorkOSSessions {
  /** Resolves the request's session (refreshing an expired one) and attaches its caller. */
  attach(req: IncomingMessage, res: ServerResponse): Promise<void>
  /** The sign-in routes; false when the path is not one of them. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>
}

export const roleFromWorkOS = (slug: string | undefined): Role =>
  slug === "admin" ? "admin" : slug === "reviewer" ? "reviewer" : "viewer"

interface SessionClaims {
  readonly user: { readonly id: string; readonly email: string; readonly name?: string | null }
  readonly organizationId?: string | undefined
  readonly role?: string | undefined
}

const displayName = (user: SessionClaims["user"] & { firstName?: string | null }) =>
  user.name?.trim() || user.email

/** Only a path on this site may be a return target (no open redirect). */
export const safeReturnTo = (value: string | null | undefined): string =>
  value !== null && value !== undefined && /^\/(?![/\\])/.test(value) ? value : "/"

const sameText = (a: string, b: string) => {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

const redirect = (res: ServerResponse, location: string, status = 302, cookies: string[] = []) => {
  res.writeHead(status, {
    location,
    "cache-control": "no-store",
    ...(cookies.length > 0 ? { "set-cookie": cookies } : {}),
  })
  res.end()
}

export const createWorkOSSessions = (deps: WorkOSSessionDeps): WorkOSSessions => {
  const settings = deps.workos
  const api = new URL(settings.apiUrl)
  const workos = new WorkOS(Redacted.value(settings.apiKey), {
    clientId: settings.clientId,
    apiHostname: api.hostname,
    https: api.protocol === "https:",
    ...(api.port === "" ? {} : { port: Number(api.port) }),
    maxRetries: 1,
  })
  const cookiePassword = Redacted.value(settings.cookiePassword)
  const redirectUri = settings.redirectUri ?? `${deps.publicUrl}/api/auth/callback`
  const secure = redirectUri.startsWith("https:")
  const sessionCookie = (value: string, maxAge?: number) =>
    cookieHeader(SESSION_COOKIE, value, { secure, path: "/", maxAge: maxAge ?? 30 * 24 * 3600 })

  const callerFrom = (claims: SessionClaims): Caller | ApiError => {
    const org = claims.organizationId
    if (org === undefined || org === "")
      return new ApiError(
        403,
        "not_a_member",
        "your WorkOS account is not a member of an organization; ask an admin to invite you",
      )
    if (settings.organizationId !== undefined && org !== settings.organizationId)
      return new ApiError(
        403,
        "not_a_member",
        "your WorkOS session belongs to another organization than this PatchPlane's",
      )
    return {
      id: `workos:${claims.user.id}`,
      name: displayName(claims.user),
      role: roleFromWorkOS(claims.role),
    }
  }

  // Several requests of one page can carry the same expired cookie at once;
  // a refresh token is single-use, so they share one refresh.
  const refreshing = new Map<string, Promise<{ sealed: string; claims: SessionClaims } | null>>()
  const refresh = (sealed: string) => {
    const pending = refreshing.get(sealed)
    if (pending !== undefined) return pending
    const started = (async () => {
      const result = await workos.userManagement
        .loadSealedSession({ sessionData: sealed, cookiePassword })
        .refresh()
      if (!result.authenticated) {
        if (result.retryable)
          throw new ApiError(503, "auth_unavailable", "WorkOS did not answer; try again shortly")
        return null
      }
      if (result.sealedSession === undefined) return null
      return { sealed: result.sealedSession, claims: result }
    })()
    refreshing.set(sealed, started)
    // Keep the answer briefly for requests still in flight with the old cookie.
    const forget = () => setTimeout(() => refreshing.delete(sealed), 30_000).unref()
    started.then(forget, forget)
    return started
  }

  const resolve = async (
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<Caller | ApiError | null> => {
    const sealed = readCookie(req, SESSION_COOKIE)
    if (sealed === undefined || sealed === "") return null
    const session = workos.userManagement.loadSealedSession({ sessionData: sealed, cookiePassword })
    const result = await session.authenticate().catch(() => null)
    if (result?.authenticated) return callerFrom(result)
    if (result?.reason === "invalid_jwt") {
      const renewed = await refresh(sealed)
      if (renewed !== null) {
        if (!res.headersSent) res.appendHeader("set-cookie", sessionCookie(renewed.sealed))
        // The page render forwards this request's cookies to the API.
        replaceRequestCookie(req, SESSION_COOKIE, renewed.sealed)
        return callerFrom(renewed.claims)
      }
    }
    if (!res.headersSent) res.appendHeader("set-cookie", sessionCookie("", 0))
    return null
  }

  const login = (res: ServerResponse, url: URL) => {
    const state = randomBytes(18).toString("base64url")
    const returnTo = safeReturnTo(url.searchParams.get("returnTo"))
    const location = workos.userManagement.getAuthorizationUrl({
      provider: "authkit",
      clientId: settings.clientId,
      redirectUri,
      state,
    })
    const value = `${state}.${Buffer.from(returnTo).toString("base64url")}`
    redirect(res, location, 302, [
      cookieHeader(STATE_COOKIE, value, { secure, path: "/api/auth", maxAge: 600 }),
    ])
  }

  const callback = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const [expected = "", encodedReturn = ""] = (readCookie(req, STATE_COOKIE) ?? "").split(".")
    const state = url.searchParams.get("state") ?? ""
    const code = url.searchParams.get("code") ?? ""
    const clearState = cookieHeader(STATE_COOKIE, "", { secure, path: "/api/auth", maxAge: 0 })
    if (expected === "" || !sameText(expected, state) || code === "")
      throw new ApiError(400, "invalid_sign_in", "sign-in expired or was not started here; retry")
    const auth = await workos.userManagement
      .authenticateWithCode({
        clientId: settings.clientId,
        code,
        session: { sealSession: true, cookiePassword },
      })
      .catch((error: unknown) => {
        deps.log.warn({ err: String(error) }, "WorkOS sign-in failed")
        throw new ApiError(401, "sign_in_failed", "WorkOS did not accept the sign-in; retry")
      })
    if (auth.sealedSession === undefined)
      throw new ApiError(502, "sign_in_failed", "WorkOS returned no session")
    const session = workos.userManagement.loadSealedSession({
      sessionData: auth.sealedSession,
      cookiePassword,
    })
    const claims = await session.authenticate()
    if (claims.authenticated && deps.onSignIn !== undefined) {
      const caller = callerFrom(claims)
      if (!(caller instanceof ApiError) && claims.organizationId !== undefined)
        await deps
          .onSignIn({
            workosUserId: claims.user.id,
            email: claims.user.email,
            name: claims.user.name ?? null,
            organizationId: claims.organizationId,
            role: caller.role,
          })
          .catch((error: unknown) =>
            deps.log.warn({ err: String(error) }, "could not record the signed-in user"),
          )
    }
    const returnTo = safeReturnTo(Buffer.from(encodedReturn, "base64url").toString("utf8"))
    redirect(res, returnTo, 302, [sessionCookie(auth.sealedSession), clearState])
  }

  const logout = async (req: IncomingMessage, res: ServerResponse) => {
    const sealed = readCookie(req, SESSION_COOKIE)
    let location = "/"
    if (sealed !== undefined && sealed !== "")
      location = await workos.userManagement
        .loadSealedSession({ sessionData: sealed, cookiePassword })
        .getLogoutUrl({ returnTo: `${deps.publicUrl}/` })
        .catch(() => "/")
    redirect(res, location, 303, [sessionCookie("", 0)])
  }

  return {
    attach: async (req, res) => {
      try {
        const caller = await resolve(req, res)
        if (caller !== null) attachSessionCaller(req, caller)
      } catch (error) {
        attachSessionCaller(
          req,
          error instanceof ApiError
            ? error
            : new ApiError(503, "auth_unavailable", "could not check the sign-in; try again"),
        )
      }
    },
    handle: async (req, res, url) => {
      const path = url.pathname
      if (path === "/api/auth/login" && req.method === "GET") {
        login(res, url)
        return true
      }
      if (path === "/api/auth/callback" && req.method === "GET") {
        try {
          await callback(req, res, url)
        } catch (error) {
          if (!(error instanceof ApiError)) throw error
          sendError(res, error)
        }
        return true
      }
      if (path === "/api/auth/logout" && req.method === "POST") {
        await logout(req, res)
        return true
      }
      return false
    },
  }
}
