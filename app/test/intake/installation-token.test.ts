import { generateKeyPairSync } from "node:crypto"
import { Effect, Redacted } from "effect"
import nock from "nock"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { makeInstallationBrokerLive } from "../../src/github/installation-token.ts"
import { createProbot } from "../../src/github/probot.ts"
import { createLogger } from "../../src/platform/logger.ts"

beforeAll(() => {
  nock.disableNetConnect()
})
afterAll(() => {
  nock.cleanAll()
  nock.enableNetConnect()
})

const apiUrl = "https://ghe.example.test/api/v3"

const probot = () => {
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  })
  return createProbot({
    appId: 4242,
    privateKey,
    webhookSecret: "s",
    apiUrl,
    retries: 0,
    retryBaseMs: 1,
    maxRateLimitWaitSeconds: 1,
    throttle: false,
    log: createLogger("silent"),
  })
}

describe("minting a checkout token", () => {
  it("asks GitHub, as the App, for a token limited to one repository and contents: read", async () => {
    const scope = nock("https://ghe.example.test")
      .matchHeader("authorization", /^bearer ey/i) // the App's JWT, never a user token
      .post("/api/v3/app/installations/77/access_tokens", {
        repositories: ["widgets"],
        permissions: { contents: "read", metadata: "read" },
      })
      .reply(201, { token: "ghs_scoped", expires_at: "2030-01-01T00:00:00Z" })
    const token = await Effect.runPromise(
      makeInstallationBrokerLive(probot(), { apiUrl }).mintRepositoryToken({
        installationId: 77,
        repository: "acme/widgets",
        permissions: { contents: "read" },
      }),
    )
    expect(scope.isDone()).toBe(true)
    expect(Redacted.value(token.token)).toBe("ghs_scoped")
    expect(token.expiresAt.toISOString()).toBe("2030-01-01T00:00:00.000Z")
    expect(String(token.token)).not.toContain("ghs_scoped")
  })

  it("fails with a typed error naming the repository", async () => {
    nock("https://ghe.example.test")
      .post("/api/v3/app/installations/77/access_tokens")
      .reply(422, { message: "There is at least one repository that does not exist" })
    const exit = await Effect.runPromiseExit(
      makeInstallationBrokerLive(probot(), { apiUrl }).mintRepositoryToken({
        installationId: 77,
        repository: "acme/gone",
        permissions: { contents: "write" },
      }),
    )
    expect(String(exit)).toContain("GitHubBrokerError")
    expect(String(exit)).toContain("does not exist")
  })
})

describe("revoking a token", () => {
  it("sends DELETE /installation/token authenticated with that token, not the App", async () => {
    const scope = nock("https://ghe.example.test")
      .matchHeader("authorization", "token ghs_done")
      .delete("/api/v3/installation/token")
      .reply(204)
    await Effect.runPromise(
      makeInstallationBrokerLive(probot(), { apiUrl }).revokeToken(Redacted.make("ghs_done")),
    )
    expect(scope.isDone()).toBe(true)
  })

  it("never fails the step when GitHub refuses: the token still expires within the hour", async () => {
    const scope = nock("https://ghe.example.test")
      .delete("/api/v3/installation/token")
      .reply(401, { message: "Bad credentials" })
    const exit = await Effect.runPromiseExit(
      makeInstallationBrokerLive(probot(), { apiUrl }).revokeToken(Redacted.make("ghs_dead")),
    )
    expect(scope.isDone()).toBe(true)
    expect(exit._tag).toBe("Success")
  })
})
