// OIDC verification against a local issuer (discovery + JWKS on loopback):
// a good token passes; a bad signature, an expired token, the wrong audience
// or issuer fail; and claims for another repository, owner or branch are
// refused for the run.
import { Effect, Result } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { rejectClaims, type ClaimsTarget } from "../../src/review/actions-claims.ts"
import { makeOidcVerifier, type OidcVerifier } from "../../src/review/oidc-verifier.ts"
import type { OidcTokenError } from "../../src/review/review-errors.ts"
import {
  type GitHubClaims,
  type LocalIssuer,
  startLocalIssuer,
} from "../../dev/oidc-issuer/local-issuer.ts"

const runId = "8f7c2a10-0000-4000-8000-000000000001"
const REVIEW_WORKFLOW = "patchplane/patchplane/.github/workflows/patchplane-review.yml"
const ALLOWED = [`${REVIEW_WORKFLOW}@*`]
const claims: GitHubClaims = {
  repository: "octo/demo",
  repository_id: "1001",
  repository_owner_id: "2002",
  ref: "refs/pull/42/merge",
  head_ref: `patchplane/${runId}`,
  event_name: "pull_request",
  job_workflow_ref: `${REVIEW_WORKFLOW}@refs/heads/main`,
}
const target: ClaimsTarget = {
  runId,
  repository: { fullName: "Octo/Demo", githubRepoId: 1001, active: true },
  installation: { accountId: 2002, suspendedAt: null, deletedAt: null },
}

let issuer: LocalIssuer
let verifier: OidcVerifier

beforeAll(async () => {
  issuer = await startLocalIssuer(claims)
  verifier = makeOidcVerifier({ issuer: issuer.url, audience: "patchplane" })
})
afterAll(() => issuer.stop())

const verify = (token: string) => Effect.runPromise(Effect.result(verifier.verify(token)))

const failure = async (token: string): Promise<OidcTokenError> => {
  const result = await verify(token)
  if (Result.isSuccess(result)) throw new Error("expected the token to be refused")
  return result.failure
}

describe("OIDC token verification", () => {
  it("accepts a token signed by the issuer and decodes GitHub's claims", async () => {
    const result = await verify(await issuer.sign(claims))
    expect(Result.isSuccess(result) && result.success).toMatchObject({
      repository: "octo/demo",
      head_ref: `patchplane/${runId}`,
    })
  })

  it("rejects a bad signature", async () => {
    const error = await failure(await issuer.sign(claims, { foreignKey: true }))
    expect(error.reason).toBe("invalid")
    expect(error.message).toMatch(/signature/i)
  })

  it("rejects a tampered payload", async () => {
    const [header, , signature] = (await issuer.sign(claims)).split(".")
    const forged = Buffer.from(JSON.stringify({ ...claims, repository: "evil/demo" })).toString(
      "base64url",
    )
    expect((await failure(`${header}.${forged}.${signature}`)).reason).toBe("invalid")
  })

  it("rejects an expired token", async () => {
    const error = await failure(await issuer.sign(claims, { expiresIn: -120 }))
    expect(error).toMatchObject({ reason: "invalid" })
    expect(error.message).toMatch(/exp/)
  })

  it("rejects another audience or issuer", async () => {
    expect(
      (await failure(await issuer.sign(claims, { audience: "sts.amazonaws.com" }))).message,
    ).toMatch(/aud/)
    expect(
      (await failure(await issuer.sign(claims, { issuer: "https://evil.example" }))).message,
    ).toMatch(/iss/)
  })

  it("rejects garbage and answers 'unavailable' when the issuer cannot be reached", async () => {
    expect((await failure("not.a.jwt")).reason).toBe("invalid")
    const offline = makeOidcVerifier({ issuer: "http://127.0.0.1:9", audience: "patchplane" })
    const result = await Effect.runPromise(Effect.result(offline.verify(await issuer.sign(claims))))
    expect(Result.isFailure(result) && result.failure.reason).toBe("unavailable")
  })
})

describe("claims against the run", () => {
  it("accepts the run's repository (names compare case-insensitively) and branch", () => {
    expect(rejectClaims({ sub: "x", ...claims }, target, ALLOWED)).toBeNull()
    const push = {
      sub: "x",
      repository: "octo/demo",
      ref: `refs/heads/patchplane/${runId}`,
      job_workflow_ref: `${REVIEW_WORKFLOW}@refs/tags/v1`,
    }
    expect(rejectClaims(push, target, ALLOWED)).toBeNull()
  })

  it("refuses a token for another repository, by name or by id", () => {
    expect(
      rejectClaims({ sub: "x", ...claims, repository: "octo/other" }, target, ALLOWED)?.code,
    ).toBe("repository_mismatch")
    expect(rejectClaims({ sub: "x", ...claims, repository_id: "999" }, target, ALLOWED)?.code).toBe(
      "repository_mismatch",
    )
  })

  it("refuses another owner, a disconnected repository and another branch", () => {
    expect(
      rejectClaims({ sub: "x", ...claims, repository_owner_id: "1" }, target, ALLOWED)?.code,
    ).toBe("installation_mismatch")
    const removed = { ...target, repository: { ...target.repository, active: false } }
    expect(rejectClaims({ sub: "x", ...claims }, removed, ALLOWED)?.code).toBe(
      "repository_not_connected",
    )
    const suspended = {
      ...target,
      installation: { ...target.installation, suspendedAt: new Date() },
    }
    expect(rejectClaims({ sub: "x", ...claims }, suspended, ALLOWED)?.code).toBe(
      "repository_not_connected",
    )
    expect(
      rejectClaims({ sub: "x", ...claims, head_ref: "patchplane/another-run" }, target, ALLOWED)
        ?.code,
    ).toBe("ref_mismatch")
  })

  it("refuses a token from any workflow but an allowed reusable review workflow", () => {
    const { job_workflow_ref: _, ...withoutWorkflow } = claims
    const from = (job_workflow_ref: string | undefined) =>
      rejectClaims(
        {
          sub: "x",
          ...withoutWorkflow,
          ...(job_workflow_ref === undefined ? {} : { job_workflow_ref }),
        },
        target,
        ALLOWED,
      )?.code ?? null
    // The agent's own workflow on its branch, posting directly.
    expect(from(`octo/demo/.github/workflows/ci.yml@refs/heads/patchplane/${runId}`)).toBe(
      "workflow_not_allowed",
    )
    // A copy of the review workflow in the target repository is not PatchPlane's.
    expect(from(`octo/demo/.github/workflows/patchplane-review.yml@refs/heads/main`)).toBe(
      "workflow_not_allowed",
    )
    expect(from(`evil/patchplane/.github/workflows/patchplane-review.yml@main`)).toBe(
      "workflow_not_allowed",
    )
    expect(from(undefined)).toBe("workflow_not_allowed")
    expect(
      from(`PatchPlane/PatchPlane/.github/workflows/patchplane-review.yml@refs/heads/main`),
    ).toBeNull()
    // An operator's own copy, pinned to a tag, when configured.
    const pinned = ["acme/ci/.github/workflows/review.yml@refs/tags/v2"]
    const with_ = (ref: string) =>
      rejectClaims({ sub: "x", ...claims, job_workflow_ref: ref }, target, pinned)?.code ?? null
    expect(with_("acme/ci/.github/workflows/review.yml@refs/tags/v2")).toBeNull()
    expect(with_("acme/ci/.github/workflows/review.yml@refs/heads/main")).toBe(
      "workflow_not_allowed",
    )
  })
})
