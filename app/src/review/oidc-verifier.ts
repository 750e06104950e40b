// Verifies the companion Action's GitHub Actions OIDC token: signature against
// the issuer's JWKS (found through its discovery document), issuer, audience
// and expiry with jose, then the claims PatchPlane reads, decoded with Schema.
// No secret is stored anywhere: the issuer's public keys are the trust root.
import { Effect, Schema } from "effect"
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from "jose"
import { decodeWith } from "@patchplane/domain"
import { ActionsClaims } from "./actions-claims.ts"
import { OidcTokenError } from "./review-errors.ts"

export interface OidcVerifierOptions {
  /** config.review.oidcIssuer, e.g. https://token.actions.githubusercontent.com */
  readonly issuer: string
  /** config.review.oidcAudience ("patchplane") */
  readonly audience: string
  /** GitHub signs with RS256. */
  readonly algorithms?: ReadonlyArray<string>
  readonly clockToleranceSeconds?: number
  readonly fetchTimeoutMs?: number
}

export interface OidcVerifier {
  readonly verify: (token: string) => Effect.Effect<ActionsClaims, OidcTokenError>
}

const MAX_TOKEN_CHARS = 16_384

const Discovery = Schema.Struct({ issuer: Schema.String, jwks_uri: Schema.String })

const unavailable = (message: string) => new OidcTokenError({ reason: "unavailable", message })
const invalid = (message: string) => new OidcTokenError({ reason: "invalid", message })

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error))

/** jose failures that mean "we could not check" rather than "the token is bad". */
const isIssuerFailure = (error: unknown) =>
  !(error instanceof errors.JOSEError) ||
  error instanceof errors.JWKSTimeout ||
  error instanceof errors.JWKSInvalid ||
  error.code === "ERR_JOSE_GENERIC"

export const makeOidcVerifier = (options: OidcVerifierOptions): OidcVerifier => {
  const issuer = options.issuer.replace(/\/+$/, "")
  const timeout = options.fetchTimeoutMs ?? 5_000
  let keys: Promise<JWTVerifyGetKey> | undefined

  // The JWKS location comes from the issuer's discovery document; its origin
  // must be the issuer's, so a tampered document cannot point elsewhere.
  const discover = async (): Promise<JWTVerifyGetKey> => {
    const url = `${issuer}/.well-known/openid-configuration`
    const res = await fetch(url, { signal: AbortSignal.timeout(timeout) })
    if (!res.ok) throw new Error(`${url} answered ${res.status}`)
    const doc = await Effect.runPromise(
      decodeWith(Discovery, "OIDC discovery document", { excess: "ignore" })(await res.json()),
    )
    if (doc.issuer.replace(/\/+$/, "") !== issuer)
      throw new Error(`discovery names issuer ${doc.issuer}, expected ${issuer}`)
    const jwksUrl = new URL(doc.jwks_uri)
    if (jwksUrl.origin !== new URL(issuer).origin)
      throw new Error(`jwks_uri ${doc.jwks_uri} is not on the issuer's origin`)
    return createRemoteJWKSet(jwksUrl, { timeoutDuration: timeout })
  }

  const jwks = Effect.tryPromise({
    try: () => {
      keys ??= discover().catch((error: unknown) => {
        keys = undefined // try discovery again on the next report
        throw error
      })
      return keys
    },
    catch: (error) => unavailable(`cannot reach the OIDC issuer ${issuer}: ${describe(error)}`),
  })

  return {
    verify: (token) =>
      Effect.gen(function* () {
        if (token.length > MAX_TOKEN_CHARS) return yield* invalid("token too long")
        const getKey = yield* jwks
        const { payload } = yield* Effect.tryPromise({
          try: () =>
            jwtVerify(token, getKey, {
              issuer,
              audience: options.audience,
              algorithms: [...(options.algorithms ?? ["RS256"])],
              requiredClaims: ["exp", "iat"],
              clockTolerance: options.clockToleranceSeconds ?? 30,
            }),
          catch: (error) =>
            isIssuerFailure(error)
              ? unavailable(`cannot fetch the OIDC issuer's keys: ${describe(error)}`)
              : invalid(describe(error)),
        })
        return yield* decodeWith(ActionsClaims, "OIDC token claims", { excess: "ignore" })(
          payload,
        ).pipe(Effect.mapError((error) => invalid(error.message)))
      }),
  }
}
