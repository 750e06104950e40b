// A loopback stand-in for the WorkOS API, answering what the sign-in flow
// calls: the AuthKit authorize redirect (it signs in whoever the test chose),
// the code and refresh-token exchanges, the JWKS and the logout redirect.
// Access tokens are real RS256 JWTs signed with a key generated per run.
import { randomUUID } from "node:crypto"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { exportJWK, generateKeyPair, SignJWT } from "jose"

export interface FakeUser {
  readonly email: string
  readonly firstName: string
  /** The organization membership's role slug (admin, reviewer, member, …); null: no organization. */
  readonly role: string | null
  readonly organizationId?: string
}

export interface FakeWorkOS {
  readonly url: string
  readonly clientId: string
  readonly calls: string[]
  /** The next AuthKit sign-in signs in this user. */
  signInAs(user: FakeUser): void
  /** Access tokens issued from now on expire after this many seconds. */
  accessTokenSeconds: number
  close(): Promise<void>
}

const body = async (req: IncomingMessage) => {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const text = Buffer.concat(chunks).toString("utf8")
  return (text === "" ? {} : JSON.parse(text)) as Record<string, string>
}

const sendJson = (res: ServerResponse, status: number, value: unknown) => {
  res.writeHead(status, { "content-type": "application/json" })
  res.end(JSON.stringify(value))
}

export const startFakeWorkOS = async (): Promise<FakeWorkOS> => {
  const { publicKey, privateKey } = await generateKeyPair("RS256")
  const jwk = { ...(await exportJWK(publicKey)), kid: "fake-key", alg: "RS256", use: "sig" }
  const clientId = "client_fake_patchplane"
  const calls: string[] = []
  let next: FakeUser = { email: "ada@example.com", firstName: "Ada", role: "admin" }
  const codes = new Map<string, FakeUser>()
  const refreshTokens = new Map<string, FakeUser>()
  const userIds = new Map<string, string>()

  const authResponse = async (user: FakeUser, sessionId: string) => {
    const org = user.role === null ? undefined : (user.organizationId ?? "org_fake")
    const id = userIds.get(user.email) ?? `user_${randomUUID().slice(0, 8)}`
    userIds.set(user.email, id)
    const accessToken = await new SignJWT({
      sid: sessionId,
      ...(org === undefined ? {} : { org_id: org, role: user.role }),
    })
      .setProtectedHeader({ alg: "RS256", kid: "fake-key" })
      .setSubject(id)
      .setIssuedAt()
      .setExpirationTime(`${fake.accessTokenSeconds}s`)
      .sign(privateKey)
    const refreshToken = `refresh_${randomUUID()}`
    refreshTokens.set(refreshToken, user)
    return {
      user: {
        object: "user",
        id,
        email: user.email,
        email_verified: true,
        first_name: user.firstName,
        last_name: "Tester",
        name: `${user.firstName} Tester`,
        profile_picture_url: null,
        created_at: new Date().toISOString(),
        updated_at: new Date().toISOString(),
      },
      ...(org === undefined ? {} : { organization_id: org }),
      access_token: accessToken,
      refresh_token: refreshToken,
      authentication_method: "Password",
    }
  }

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://fake")
      calls.push(`${req.method} ${url.pathname}`)
      if (req.method === "GET" && url.pathname === "/user_management/authorize") {
        // The hosted sign-in page, already filled in: straight back with a code.
        const code = `code_${randomUUID()}`
        codes.set(code, next)
        const back = new URL(url.searchParams.get("redirect_uri") ?? "")
        back.searchParams.set("code", code)
        back.searchParams.set("state", url.searchParams.get("state") ?? "")
        res.writeHead(302, { location: back.toString() })
        return res.end()
      }
      if (req.method === "POST" && url.pathname === "/user_management/authenticate") {
        const form = await body(req)
        if (form.client_id !== clientId) return sendJson(res, 400, { error: "invalid_client" })
        if (form.grant_type === "authorization_code") {
          const user = codes.get(form.code ?? "")
          codes.delete(form.code ?? "")
          if (user === undefined) return sendJson(res, 400, { error: "invalid_grant" })
          return sendJson(res, 200, await authResponse(user, `session_${randomUUID()}`))
        }
        if (form.grant_type === "refresh_token") {
          const user = refreshTokens.get(form.refresh_token ?? "")
          refreshTokens.delete(form.refresh_token ?? "") // single use
          if (user === undefined)
            return sendJson(res, 400, { error: "invalid_grant", error_description: "used" })
          return sendJson(res, 200, await authResponse(user, `session_${randomUUID()}`))
        }
        return sendJson(res, 400, { error: "unsupported_grant_type" })
      }
      if (req.method === "GET" && url.pathname === `/sso/jwks/${clientId}`)
        return sendJson(res, 200, { keys: [jwk] })
      if (req.method === "GET" && url.pathname === "/user_management/sessions/logout") {
        res.writeHead(302, { location: url.searchParams.get("return_to") ?? "/" })
        return res.end()
      }
      sendJson(res, 404, { message: "not found" })
    })().catch((error: unknown) => {
      res.writeHead(500)
      res.end(String(error))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const fake: FakeWorkOS = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    clientId,
    calls,
    accessTokenSeconds: 300,
    signInAs: (user) => {
      next = user
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
  return fake
}
