// The same hunt for secrets as agent-secrets.test.ts, on the second runtime:
// the real Claude Code binary, in the real bubblewrap sandbox, is told by the
// (scripted) model to print its environment, PID 1's, and every file of its
// session directories (settings, the apiKeyHelper's token file, its config
// and home). The provider key lives only in the gateway: it may appear in
// none of that, nor in the stored RuntimeEvents, nor in what reached the model.
import { listRuntimeEvents } from "@patchplane/db"
import { Effect } from "effect"
import { afterAll, beforeAll, expect, it } from "vitest"
import type { RuntimeEventPayload } from "@patchplane/domain"
import { RuntimeAdapter } from "../../src/runtime/runtime-adapter.ts"
import { claudeProbeScript } from "../../dev/scripted-model/model-scripts.ts"
import {
  createWorld,
  rig,
  runWith,
  type RuntimeWorld,
  seedRun,
  startSession,
} from "../runtime/harness.ts"

let world: RuntimeWorld
const savedEnv = { ...process.env }

beforeAll(async () => {
  world = await createWorld("claude_secrets")
})
afterAll(async () => {
  process.env = savedEnv
  await world?.close()
})

it("Claude Code's environment and session files hold the run token, never the provider key", async () => {
  const planted = {
    PATCHPLANE_TEST_SECRET: "pp-test-secret-claude-51d0",
    ANTHROPIC_API_KEY: "sk-ant-planted-host-key-0000",
  }
  Object.assign(process.env, planted)
  const { layer, server } = await rig(
    world,
    [],
    {},
    RuntimeAdapter.layerClaudeCode({ model: "claude-scripted" }),
  )
  const command = [
    "env",
    "echo ---proc1---",
    "tr '\\0' '\\n' < /proc/1/environ",
    "echo ---files---",
    "find /tmp -type f 2>/dev/null | sort",
    "find /tmp -type f -size -256k 2>/dev/null | xargs cat 2>/dev/null",
    "echo ---end---",
  ].join("; ")
  server.enqueue(...claudeProbeScript(command))
  const runId = await seedRun(world)
  let outcome: { status: string }
  try {
    outcome = await runWith(layer)(
      Effect.gen(function* () {
        const runtime = yield* RuntimeAdapter
        const started = yield* startSession(runId)
        const turn = yield* runtime.runTurn(started.session, "print your environment and files")
        yield* runtime.terminate(started.session)
        return turn
      }),
    )
  } finally {
    await server.close()
  }
  expect(outcome.status).toBe("completed")

  const stored = (await listRuntimeEvents(world.db.db, runId)).map(
    (e) => e.payload as RuntimeEventPayload,
  )
  const completed = stored.filter(
    (p): p is Extract<RuntimeEventPayload, { kind: "tool.completed" }> =>
      p.kind === "tool.completed",
  )
  expect(completed).toHaveLength(1)
  const output = completed[0]?.output ?? ""
  // Controls: the probe ran, saw Claude Code's own settings, and the token file it holds instead.
  expect(output).toContain("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1")
  expect(output).toContain("---proc1---")
  expect(output).toMatch(/\/secret\/gateway-token/)
  expect(output).toContain("apiKeyHelper")
  expect(output).toContain("---end---")

  const everything = [
    output,
    JSON.stringify(stored),
    JSON.stringify(server.requests.map((r) => r.body)),
  ].join("\n")
  expect(everything).not.toContain(server.apiKey)
  for (const value of Object.values(planted)) expect(everything).not.toContain(value)
  expect(output).not.toContain("ANTHROPIC_API_KEY=")
  // What reached the provider carried the gateway's key, never the agent's token.
  for (const request of server.requests) expect(request.authorization).toBe(server.apiKey)
}, 120_000)
