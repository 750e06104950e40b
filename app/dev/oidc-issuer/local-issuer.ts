// A local OIDC issuer shaped like GitHub Actions': discovery document and
// JWKS on a loopback server, RS256 tokens with GitHub's claims, and the
// runner's token-request endpoint (ACTIONS_ID_TOKEN_REQUEST_URL) in front.
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from "jose"

export interface GitHubClaims extends JWTPayload {
  readonly repository: string
  readonly repository_id?: string
  readonly repository_owner_id?: string
  readonly ref?: string
  readonly head_ref?: string
}

export interface LocalIssuer {
  readonly url: string
  /** ACTIONS_ID_TOKEN_REQUEST_URL: answers {value: token} for REQUEST_TOKEN. */
  readonly requestUrl: string
  readonly requestToken: string
  /** Claims the token-request endpoint signs. */
  claims: GitHubClaims
  readonly sign: (
    claims: GitHubClaims,
    options?: {
      audience?: string
      expiresIn?: string | number
      issuer?: string
      foreignKey?: boolean
    },
  ) => Promise<string>
  /** Audiences the token-request endpoint was asked for. */
  readonly requestedAudiences: string[]
  stop(): Promise<void>
}

export const startLocalIssuer = async (claims: GitHubClaims): Promise<LocalIssuer> => {
  const { privateKey, publicKey } = await generateKeyPair("RS256")
  const foreign = await generateKeyPair("RS256")
  const jwk = { ...(await exportJWK(publicKey)), kid: "pp-test", alg: "RS256", use: "sig" }
  const requestToken = "runner-request-token"
  const requestedAudiences: string[] = []
  // Assigned before the server answers its first request.
  let issuer: LocalIssuer | undefined
  const server: Server = createServer((req, res) => {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" })
      res.end(JSON.stringify(body))
    }
    if (issuer === undefined) return json(503, {})
    const base = issuer.url
    const url = new URL(req.url ?? "/", base)
    if (url.pathname === "/.well-known/openid-configuration")
      return json(200, { issuer: base, jwks_uri: `${base}/.well-known/jwks` })
    if (url.pathname === "/.well-known/jwks") return json(200, { keys: [jwk] })
    if (url.pathname === "/token") {
      if (req.headers.authorization !== `bearer ${requestToken}`) return json(401, {})
      const audience = url.searchParams.get("audience") ?? ""
      requestedAudiences.push(audience)
      void issuer.sign(issuer.claims, { audience }).then((value) => json(200, { count: 1, value }))
      return undefined
    }
    return json(404, {})
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  issuer = {
    url: base,
    requestUrl: `${base}/token?api-version=2.0`,
    requestToken,
    claims,
    requestedAudiences,
    sign: (payload, options = {}) => {
      const now = Math.floor(Date.now() / 1000)
      const expired = typeof options.expiresIn === "number" && options.expiresIn < 0
      return new SignJWT({ ...payload })
        .setProtectedHeader({ alg: "RS256", kid: "pp-test", typ: "JWT" })
        .setIssuer(options.issuer ?? base)
        .setAudience(options.audience ?? "patchplane")
        .setSubject(`repo:${payload.repository}:ref:${payload.ref ?? "refs/heads/main"}`)
        .setIssuedAt(expired ? now - 600 : now)
        .setExpirationTime(
          typeof options.expiresIn === "number"
            ? now + options.expiresIn
            : (options.expiresIn ?? "5m"),
        )
        .sign(options.foreignKey ? foreign.privateKey : privateKey)
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  }
  return issuer
}
