// The push step at the adapter, on a real bwrap sandbox and a real repository:
// it writes only patchplane/* refs (a forced push only to the run's own
// branch), takes only an exact commit id, and its token is revoked when the
// step ends, whatever the outcome.
import { execFileSync } from "node:child_process"
import { rm } from "node:fs/promises"
import { join } from "node:path"
import { Effect, Layer } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { checkoutRepository } from "../../src/execution/checkout.ts"
import { ExecutionAdapter } from "../../src/execution/execution-adapter.ts"
import { pushBranch } from "../../src/execution/push-branch.ts"
import { testInstallationBrokerLayer } from "../support/test-installation-broker.ts"
import { type GitHttpServer, startGitHttpServer } from "./git-http-server.ts"
import { failureOf, openTempDir, profile, runIn, seedRemote, type SeededRemote } from "./helpers.ts"

let root: string
let remote: SeededRemote
let http: GitHttpServer
const token = "ghs_push_token"
const revoked: Array<string> = []

beforeAll(async () => {
  root = await openTempDir("pp-push-")
  remote = await seedRemote(join(root, "origin"), { "README.md": "# demo\n" })
  // Served over git's smart HTTP as origin/remote.git, with one token.
  http = await startGitHttpServer(root, token)
})
afterAll(async () => {
  await http?.close()
  await rm(root, { recursive: true, force: true })
})

const layer = () =>
  Layer.mergeAll(
    ExecutionAdapter.layerLocal(),
    testInstallationBrokerLayer({ revoked, token: () => token }),
  )

/** A checkout with one commit of the agent's, then a push of it to `branch`. */
const commitAndPush = (runId: string, branch: string, force: boolean, commit?: string) =>
  Effect.gen(function* () {
    const adapter = yield* ExecutionAdapter
    const sandbox = yield* ExecutionAdapter.scoped({ runId, profile: profile() })
    const tree = yield* checkoutRepository(sandbox, {
      runId,
      installationId: 1,
      repository: "octo/demo",
      cloneUrl: `${http.url}/origin/remote.git`,
    })
    yield* adapter.exec(
      sandbox,
      [
        "sh",
        "-c",
        "echo change > change.txt && git add . && git -c user.name=a -c user.email=a@example.com commit -qm change",
      ],
      { cwd: tree.path },
    )
    const head = (yield* adapter.exec(sandbox, ["git", "rev-parse", "HEAD"], {
      cwd: tree.path,
    })).stdout.trim()
    return yield* pushBranch(sandbox, {
      installationId: 1,
      repository: "octo/demo",
      url: `${http.url}/origin/remote.git`,
      path: tree.path,
      commit: commit ?? head,
      branch,
      force,
      touchesWorkflows: false,
    })
  })

const remoteRef = (ref: string) =>
  execFileSync("git", ["-C", remote.bareDir, "rev-parse", "--verify", "--quiet", ref], {
    encoding: "utf8",
  }).trim()

describe("push", () => {
  it("pushes the commit to the run's branch and revokes its token afterwards", async () => {
    const before = revoked.length
    const pushed = await runIn(layer())(commitAndPush("run-ok", "patchplane/run-ok", true))
    expect(pushed.kind).toBe("pushed")
    expect(remoteRef("refs/heads/patchplane/run-ok")).toBe(
      pushed.kind === "pushed" ? pushed.commit : "",
    )
    expect(remoteRef("refs/heads/main")).toBe(remote.headSha)
    // The checkout's token and the push's, each revoked when its step ended.
    expect(revoked.slice(before)).toHaveLength(2)
  }, 60_000)

  it("refuses main, a branch outside patchplane/, a forced push to another run's branch and a ref name", async () => {
    const before = revoked.length
    const failure = failureOf(layer())
    const main = await failure(commitAndPush("run-x", "main", false))
    expect(String(main)).toMatch(/refusing to push to "main": PatchPlane pushes only patchplane/)
    const other = await failure(commitAndPush("run-x", "feature/x", false))
    expect(String(other)).toMatch(/refusing to push to "feature\/x"/)
    const forced = await failure(commitAndPush("run-x", "patchplane/run-y", true))
    expect(String(forced)).toMatch(/only the run's own branch patchplane\/run-x may be replaced/)
    const named = await failure(commitAndPush("run-x", "patchplane/run-x", true, "HEAD"))
    expect(String(named)).toMatch(/not a full commit id/)
    expect(remoteRef("refs/heads/main")).toBe(remote.headSha)
    // Tokens minted for refused pushes are revoked all the same.
    expect(revoked.length - before).toBe(8)
  }, 120_000)
})
