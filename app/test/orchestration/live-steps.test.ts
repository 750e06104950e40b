// The loop without GitHub's API: a durable run with the live steps — a real
// bubblewrap sandbox, a checkout of a real repository over git's smart HTTP,
// the real Pi agent talking to a scripted model through the gateway — ends
// with a PatchSet, its events, usage and provenance recorded, and its commit
// pushed to `patchplane/<run-id>` with a write token.
import { execFileSync } from "node:child_process"
import { join } from "node:path"
import { listPatchSets, listRuntimeEvents, runModelUsage } from "@patchplane/db"
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"
import { afterAll, beforeAll, expect, it } from "vitest"
import { ExecutionAdapter } from "../../src/execution/execution-adapter.ts"
import { makeLiveRunSteps } from "../../src/orchestration/live-run-steps.ts"
import { Database } from "../../src/platform/database.ts"
import {
  GitHubInstallationBroker,
  type RepositoryTokenRequest,
} from "../../src/platform/github-installation-broker.ts"
import { testInstallationBrokerLayer } from "../support/test-installation-broker.ts"
import { createModelGateway, ModelGateway } from "../../src/runtime/model-gateway.ts"
import { RuntimeAdapter } from "../../src/runtime/runtime-adapter.ts"
import { type GitHttpServer, startGitHttpServer } from "../execution/git-http-server.ts"
import { openTempDir, profile, seedRemote } from "../execution/helpers.ts"
import { editingScript } from "../../dev/scripted-model/model-scripts.ts"
import {
  type ScriptedModelServer,
  startScriptedModelServer,
} from "../../dev/scripted-model/scripted-model-server.ts"
import { createTestDatabase, type TestDatabase } from "@patchplane/db/testing"
import { type OrchestrationHarness, startOrchestrationHarness } from "./harness.ts"

let h: OrchestrationHarness
let model: ScriptedModelServer
let gitServer: GitHttpServer
let projectRoot: string
const published: Array<unknown> = []
let runtime: ManagedRuntime.ManagedRuntime<
  ExecutionAdapter | RuntimeAdapter | GitHubInstallationBroker | Database,
  never
>
const tokens: Array<RepositoryTokenRequest> = []
const revoked: Array<string> = []

beforeAll(async () => {
  const db: TestDatabase = await createTestDatabase("live")
  const baseDir = await openTempDir("pp-live-")
  const remote = await seedRemote(join(baseDir, "origin"), { "README.md": "# demo\n" })
  // Served like GitHub serves acme/demo: smart HTTP, `x-access-token:<token>`.
  projectRoot = join(baseDir, "git")
  execFileSync("git", [
    "clone",
    "--quiet",
    "--bare",
    remote.bareDir,
    join(projectRoot, "acme/demo.git"),
  ])
  gitServer = await startGitHttpServer(projectRoot, "ghs_live_token")
  model = await startScriptedModelServer({ script: editingScript() })
  const gateway = createModelGateway({
    db: db.db,
    upstream: { baseUrl: model.baseUrl, apiKey: Redacted.make(model.apiKey) },
    secret: Redacted.make("live-steps-secret"),
    pricing: { inputUsdPerMTok: 1, outputUsdPerMTok: 2 },
  })
  const database = Layer.succeed(Database, {
    db: db.db,
    pool: db.pool,
    kind: "test" as const,
    location: db.name,
    url: db.url,
    ping: Effect.void,
  })
  const base = Layer.mergeAll(
    ExecutionAdapter.layerLocal({ baseDir }),
    ModelGateway.layerValue(gateway),
    testInstallationBrokerLayer({
      calls: tokens,
      revoked,
      token: () => "ghs_live_token",
    }),
    database,
  )
  runtime = ManagedRuntime.make(
    Layer.provideMerge(RuntimeAdapter.layerPi({ model: { id: "scripted-model" } }), base),
  )
  h = await startOrchestrationHarness(
    (drizzle) =>
      makeLiveRunSteps({
        runtime,
        db: drizzle,
        sandbox: profile(),
        agent: {
          adapter: "pi",
          provider: "patchplane-gateway",
          model: "scripted-model",
          turnTimeoutSeconds: 60,
          maxTurns: 10,
        },
        gitBaseUrl: gitServer.url,
        // GitHub's side of publication is covered with the GitHub stand-in.
        publisher: {
          publish: async (patch) => void published.push(patch),
          publishDecision: async () => {},
        },
      }),
    {},
    db,
  )
}, 90_000)
afterAll(async () => {
  await h?.stop()
  await runtime?.dispose()
  await model?.close()
  await gitServer?.close()
})

it("runs the agent in a sandbox on a checkout and collects its PatchSet", async () => {
  const queued = await h.enqueue({ repo: "acme/demo" })
  const reviewing = await h.waitForState(queued.id, ["reviewing", "failed"], 90_000)
  expect(reviewing.reason).toBeNull()
  expect(reviewing.state).toBe("reviewing")

  // Read to check out; write only for the push, after the agent is gone.
  expect(tokens).toEqual([
    { installationId: 500, repository: "acme/demo", permissions: { contents: "read" } },
    { installationId: 500, repository: "acme/demo", permissions: { contents: "write" } },
  ])
  // Each token is revoked when its step (the clone, the push) ends.
  expect(revoked).toEqual(["ghs_live_token", "ghs_live_token"])
  const [patch] = await listPatchSets(h.db.db, queued.id)
  expect(patch?.branch).toBe(`patchplane/${queued.id}`)
  const remoteHead = execFileSync(
    "git",
    ["-C", join(projectRoot, "acme/demo.git"), "rev-parse", `refs/heads/patchplane/${queued.id}`],
    { encoding: "utf8" },
  ).trim()
  expect(remoteHead).toBe(patch?.headSha)
  // The PR step follows the move to reviewing.
  for (let i = 0; i < 100 && published.length === 0; i++)
    await new Promise((resolve) => setTimeout(resolve, 100))
  expect(published).toEqual([
    {
      runId: queued.id,
      patchSetId: patch?.id,
      pushed: {
        branch: `patchplane/${queued.id}`,
        commit: remoteHead,
        base: "main",
        pullRequest: null,
      },
    },
  ])
  expect(patch?.files.map((f) => f.path).toSorted()).toEqual(["hello.txt", "shell.txt"])
  const kinds = (await listRuntimeEvents(h.db.db, queued.id)).map((e) => e.kind)
  expect(kinds[0]).toBe("session.started")
  expect(kinds).toContain("tool.requested")
  expect(kinds).toContain("tool.completed")
  expect(kinds.at(-1)).toBe("session.terminated")
  const usage = await runModelUsage(h.db.db, queued.id)
  expect(usage.inputTokens).toBeGreaterThan(0)
  await Effect.runPromise(h.app.orchestrator.cancel(queued.id, "test", "done"))
}, 120_000)
