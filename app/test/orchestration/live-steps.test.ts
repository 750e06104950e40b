// The loop without GitHub: a durable run with the live steps — a real
// bubblewrap sandbox, a checkout of a real repository, the real Pi agent
// talking to a scripted model through the gateway — ends with a PatchSet and
// its events, usage and provenance recorded.
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
import { createModelGateway, ModelGateway } from "../../src/runtime/model-gateway.ts"
import { RuntimeAdapter } from "../../src/runtime/runtime-adapter.ts"
import { openTempDir, profile, seedRemote } from "../execution/helpers.ts"
import { editingScript } from "../fixtures/model-scripts.ts"
import {
  type ScriptedModelServer,
  startScriptedModelServer,
} from "../fixtures/scripted-model-server.ts"
import { createTestDatabase, type TestDatabase } from "@patchplane/db/testing"
import { type OrchestrationHarness, startOrchestrationHarness } from "./harness.ts"

let h: OrchestrationHarness
let model: ScriptedModelServer
let runtime: ManagedRuntime.ManagedRuntime<
  ExecutionAdapter | RuntimeAdapter | GitHubInstallationBroker | Database,
  never
>
const tokens: Array<RepositoryTokenRequest> = []

beforeAll(async () => {
  const db: TestDatabase = await createTestDatabase("live")
  const baseDir = await openTempDir("pp-live-")
  const remote = await seedRemote(join(baseDir, "origin"), { "README.md": "# demo\n" })
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
    // The repository "acme/demo" is served from a bare repo bound where the clone URL points.
    ExecutionAdapter.layerLocal({
      baseDir,
      readOnlyBinds: [{ hostPath: remote.bareDir, sandboxPath: "/remotes/acme/demo.git" }],
    }),
    ModelGateway.layerValue(gateway),
    GitHubInstallationBroker.layerTest({ calls: tokens }),
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
        gitBaseUrl: "/remotes",
      }),
    {},
    db,
  )
}, 90_000)
afterAll(async () => {
  await h?.stop()
  await runtime?.dispose()
  await model?.close()
})

it("runs the agent in a sandbox on a checkout and collects its PatchSet", async () => {
  const queued = await h.enqueue({ repo: "acme/demo" })
  const reviewing = await h.waitForState(queued.id, ["reviewing", "failed"], 90_000)
  expect(reviewing.reason).toBeNull()
  expect(reviewing.state).toBe("reviewing")

  expect(tokens).toEqual([
    { installationId: 500, repository: "acme/demo", permissions: { contents: "read" } },
  ])
  const [patch] = await listPatchSets(h.db.db, queued.id)
  expect(patch?.branch).toBe(`patchplane/${queued.id}`)
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
