// Checkout into the local sandbox with a per-run, repository-scoped token:
// against a bound local remote, and over HTTP against a server that demands
// the token, which must then be nowhere in the checkout or the sandbox.
import { rm } from "node:fs/promises"
import { Effect, Layer } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { checkoutRepository } from "../../src/execution/checkout.ts"
import { ExecutionAdapter } from "../../src/execution/execution-adapter.ts"
import { ExecutionError } from "../../src/execution/execution-errors.ts"
import { type RepositoryTokenRequest } from "../../src/platform/github-installation-broker.ts"
import { testInstallationBrokerLayer } from "../support/test-installation-broker.ts"
import { startGitHttpServer, type GitHttpServer } from "./git-http-server.ts"
import {
  failureOf,
  openTempDir,
  profile,
  runIn,
  type SeededRemote,
  seedRemote,
  text,
} from "./helpers.ts"

const token = "ghs_checkout_token_5e3c"
let root: string
let remote: SeededRemote
let http: GitHttpServer

beforeAll(async () => {
  root = await openTempDir("pp-checkout-")
  remote = await seedRemote(root, {
    "README.md": "# demo\n",
    "src/index.js": "export const x = 1\n",
  })
  http = await startGitHttpServer(root, token)
})
afterAll(async () => {
  await http.close()
  await rm(root, { recursive: true, force: true })
})

const layers = (calls: Array<RepositoryTokenRequest>) =>
  Layer.mergeAll(
    ExecutionAdapter.layerLocal({
      readOnlyBinds: [{ hostPath: remote.bareDir, sandboxPath: "/remotes/demo.git" }],
    }),
    testInstallationBrokerLayer({ calls, token: () => token }),
  )

describe("checkout", () => {
  it("clones a bound repository onto patchplane/<run-id> with a read-only token minted for that repository", async () => {
    const calls: Array<RepositoryTokenRequest> = []
    const outcome = await runIn(layers(calls))(
      Effect.gen(function* () {
        const adapter = yield* ExecutionAdapter
        const sandbox = yield* ExecutionAdapter.scoped({ runId: "run-a", profile: profile() })
        const checkout = yield* checkoutRepository(sandbox, {
          runId: "run-a",
          installationId: 42,
          repository: "octo/demo",
          cloneUrl: "/remotes/demo.git",
        })
        const branch = yield* adapter.exec(sandbox, ["git", "branch", "--show-current"], {
          cwd: checkout.path,
        })
        const readme = text(yield* adapter.readFile(sandbox, "repo/README.md"))
        return { checkout, branch: branch.stdout.trim(), readme }
      }),
    )
    expect(outcome.checkout).toEqual({
      path: "/workspace/repo",
      baseSha: remote.headSha,
      branch: "patchplane/run-a",
    })
    expect(outcome.branch).toBe("patchplane/run-a")
    expect(outcome.readme).toBe("# demo\n")
    expect(calls).toEqual([
      { installationId: 42, repository: "octo/demo", permissions: { contents: "read" } },
    ])
  }, 30_000)

  it("sends the token over HTTP for the clone only: not in .git/config, the agent's environment or any output", async () => {
    const calls: Array<RepositoryTokenRequest> = []
    const seen = http.authorizations.length
    const outcome = await runIn(layers(calls))(
      Effect.gen(function* () {
        const adapter = yield* ExecutionAdapter
        const sandbox = yield* ExecutionAdapter.scoped({ runId: "run-b", profile: profile() })
        const checkout = yield* checkoutRepository(sandbox, {
          runId: "run-b",
          installationId: 7,
          repository: "octo/demo",
          cloneUrl: `${http.url}/remote.git`,
        })
        const config = text(yield* adapter.readFile(sandbox, "repo/.git/config"))
        // Everything an agent could look at afterwards.
        const look = yield* adapter.exec(
          sandbox,
          [
            "sh",
            "-c",
            "env; git config --list --show-origin; cat .git/FETCH_HEAD .git/packed-refs 2>/dev/null; grep -r x-access -- . $HOME 2>/dev/null; true",
          ],
          { cwd: checkout.path },
        )
        return { checkout, config, look }
      }),
    )
    expect(outcome.checkout.baseSha).toBe(remote.headSha)
    // The server got the token, as basic auth for x-access-token.
    const sent = http.authorizations.slice(seen).filter((value) => value !== undefined)
    expect(sent.length).toBeGreaterThan(0)
    expect(Buffer.from((sent[0] ?? "").split(" ")[1] ?? "", "base64").toString()).toBe(
      `x-access-token:${token}`,
    )
    // ... and it is nowhere in the sandbox.
    const basic = Buffer.from(`x-access-token:${token}`).toString("base64")
    for (const place of [outcome.config, outcome.look.stdout, outcome.look.stderr]) {
      expect(place).not.toContain(token)
      expect(place).not.toContain(basic)
    }
    expect(outcome.config).toContain(`url = ${http.url}/remote.git`)
    expect(outcome.config.toLowerCase()).not.toContain("extraheader")
  }, 30_000)

  it("fails a refused clone with a message that does not repeat the token", async () => {
    const error = await failureOf(
      Layer.mergeAll(
        ExecutionAdapter.layerLocal(),
        testInstallationBrokerLayer({ token: () => "ghs_wrong_token_9f1a" }),
      ),
    )(
      Effect.gen(function* () {
        const sandbox = yield* ExecutionAdapter.scoped({ runId: "run-c", profile: profile() })
        return yield* checkoutRepository(sandbox, {
          runId: "run-c",
          installationId: 7,
          repository: "octo/demo",
          cloneUrl: `${http.url}/remote.git`,
        })
      }),
    )
    expect(error).toBeInstanceOf(ExecutionError)
    expect(error.message).toMatch(/git exited with 128/)
    expect(error.message).not.toContain("ghs_wrong_token_9f1a")
  }, 30_000)

  it("refuses clone URLs that carry credentials (they would be stored as the remote)", async () => {
    const error = await failureOf(layers([]))(
      Effect.gen(function* () {
        const sandbox = yield* ExecutionAdapter.scoped({ runId: "run-d", profile: profile() })
        return yield* checkoutRepository(sandbox, {
          runId: "run-d",
          installationId: 7,
          repository: "octo/demo",
          cloneUrl: `http://x-access-token:abc@127.0.0.1:1/remote.git`,
        })
      }),
    )
    expect(error.message).toContain("must not carry credentials")
  }, 30_000)
})
