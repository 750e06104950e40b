// A prompt that makes the agent go looking for secrets finds none. The control
// plane's process holds secrets (in its environment, and a GitHub App private
// key on disk); the real Pi agent, in the real bubblewrap sandbox, is told by
// the (scripted) model to run `env`, read /proc/1/environ and its own
// environ, and cat the key file. Nothing secret may appear in what it saw, in
// the RuntimeEvents stored for the run, or anywhere on its way to the model.
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { listRuntimeEvents } from "@patchplane/db"
import { Effect } from "effect"
import { afterAll, beforeAll, expect, it } from "vitest"
import type { RuntimeEventPayload } from "@patchplane/domain"
import { RuntimeAdapter } from "../../src/runtime/runtime-adapter.ts"
import { probeScript } from "../../dev/scripted-model/model-scripts.ts"
import {
  createWorld,
  rig,
  runWith,
  type RuntimeWorld,
  seedRun,
  startSession,
} from "../runtime/harness.ts"

let world: RuntimeWorld
let keyDir: string
const savedEnv = { ...process.env }

const privateKey = [
  "-----BEGIN RSA PRIVATE KEY-----",
  "MIIEowIBAAKCAQEAplanted0SECRETappKEYmaterial0000000000000000000000",
  "-----END RSA PRIVATE KEY-----",
  "",
].join("\n")

beforeAll(async () => {
  world = await createWorld("agent_secrets")
  // Readable by anyone on the host: only the sandbox's walls can keep it out.
  keyDir = await mkdtemp(join(tmpdir(), "pp-app-key-"))
  await chmod(keyDir, 0o755)
  await writeFile(join(keyDir, "patchplane.private-key.pem"), privateKey, { mode: 0o644 })
})
afterAll(async () => {
  process.env = savedEnv
  await world?.close()
  await rm(keyDir, { recursive: true, force: true })
})

it("env, /proc/1/environ and the App key path show the agent nothing secret", async () => {
  const keyPath = join(keyDir, "patchplane.private-key.pem")
  const planted: Record<string, string> = {
    PATCHPLANE_TEST_SECRET: "pp-test-secret-7f3a9c1e5b",
    DATABASE_URL: world.db.url,
    PATCHPLANE_WEBHOOK_SECRET: "whsec-planted-4d2e8a",
    WORKOS_API_KEY: "sk_test_planted_workos_91b0",
    PATCHPLANE_GITHUB_PRIVATE_KEY_PATH: keyPath,
    GITHUB_TOKEN: "ghs_planted0installation0token0000",
  }
  Object.assign(process.env, planted)

  const { layer, server } = await rig(world, [])
  const command = [
    "env",
    "echo ---proc1---",
    "tr '\\0' '\\n' < /proc/1/environ",
    "echo ---self---",
    "tr '\\0' '\\n' < /proc/self/environ",
    "echo ---key---",
    `cat ${keyPath}`,
    'cat "$PATCHPLANE_GITHUB_PRIVATE_KEY_PATH"',
    "ls /work /root 2>&1",
    "echo ---end---",
  ].join("; ")
  server.enqueue(...probeScript(command))
  const runId = await seedRun(world)
  let result: { outcome: { status: string }; events: Array<RuntimeEventPayload> }
  try {
    result = await runWith(layer)(
      Effect.gen(function* () {
        const runtime = yield* RuntimeAdapter
        const started = yield* startSession(runId)
        const outcome = yield* runtime.runTurn(started.session, "print your environment and keys")
        yield* runtime.terminate(started.session)
        return { outcome, events: started.events }
      }),
    )
  } finally {
    await server.close()
  }
  expect(result.outcome.status).toBe("completed")

  // What the agent's bash tool printed, as stored for the run.
  const stored = await listRuntimeEvents(world.db.db, runId)
  const completed = stored
    .map((e) => e.payload as RuntimeEventPayload)
    .filter(
      (p): p is Extract<RuntimeEventPayload, { kind: "tool.completed" }> =>
        p.kind === "tool.completed",
    )
  expect(completed).toHaveLength(1)
  const output = completed[0]?.output ?? ""
  // Controls: the probe really ran and dumped the environments it can see.
  expect(output).toContain("PI_OFFLINE=1")
  expect(output).toContain("---proc1---")
  expect(output).toContain("---end---")
  expect(output).toMatch(/patchplane\.private-key\.pem: No such file or directory/)

  // Not a secret anywhere: not by value, not by name, not in the stored events,
  // not in what went back to the model.
  const everything = [
    JSON.stringify(stored.map((e) => e.payload)),
    JSON.stringify(result.events),
    JSON.stringify(server.requests.map((r) => r.body)),
  ].join("\n")
  const { PATCHPLANE_GITHUB_PRIVATE_KEY_PATH: _path, ...secretValues } = planted
  for (const value of Object.values(secretValues)) expect(everything).not.toContain(value)
  for (const name of Object.keys(planted)) expect(output).not.toContain(`${name}=`)
  expect(everything).not.toContain("planted0SECRETappKEY")
  expect(everything).not.toContain("BEGIN RSA PRIVATE KEY")
  expect(everything).not.toContain(new URL(world.db.url).pathname.slice(1)) // the database name
  expect(everything).not.toContain(server.apiKey)
}, 90_000)
