// A local OIDC issuer shaped like GitHub Actions': discovery document and
// JWKS on a loopback server, RS256 tokens with GitHub's claims, and the
// runner's token-request endpoint (ACTIONS_ID_TOKEN_REQUEST_URL) in front.
// Tokens carry the claims GitHub documents ("About security hardening with
// OpenID Connect"): what a test leaves out is filled in as GitHub would for
// a pull_request workflow that calls PatchPlane's reusable review workflow —
// `job_workflow_ref` names the called workflow, `workflow_ref` the caller.
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from "jose"

export interface GitHubClaims extends JWTPayload {
  readonly repository: string
  readonly repository_id?: string
  readonly repository_owner_id?: string
  readonly ref?: string
  readonly head_ref?: string
  readonly sha?: string
  readonly event_name?: string
  readonly workflow_ref?: string
  readonly job_workflow_ref?: string
  readonly run_id?: string
}

/** The reusable workflow a caller's job runs when it `uses:` PatchPlane's review. */
export const REVIEW_WORKFLOW_REF =
  "patchplane/patchplane/.github/workflows/patchplane-review.yml@refs/heads/main"

/** GitHub's claims for a token: those given, and the rest as GitHub sets them. */
const withGitHubDefaults = (claims: GitHubClaims): GitHubClaims => {
  const ref = claims.ref ?? "refs/heads/main"
  const workflowRef = `${claims.repository}/.github/workflows/patchplane.yml@${ref}`
  return {
    ref,
    ref_type: "branch",
    sha: "0".repeat(40),
    event_name: "pull_request",
    workflow: "PatchPlane",
    workflow_ref: workflowRef,
    workflow_sha: "0".repeat(40),
    job_workflow_ref: REVIEW_WORKFLOW_REF,
    job_workflow_sha: "1".repeat(40),
    run_id: "1",
    run_number: "1",
    run_attempt: "1",
    actor: "github-actions",
    repository_owner: claims.repository.split("/")[0] ?? "",
    repository_visibility: "private",
    runner_environment: "github-hosted",
    ...claims,
  }
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
      return new SignJWT({ ...withGitHubDefaults(payload) })
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
