// Limits of the real Pi runtime in the real local sandbox: the token and turn
// budgets, the turn time budget, Pi dying, and what the sandbox holds and
// reaches (no provider key anywhere; nothing but the model gateway).
import { readdir, readFile, stat } from "node:fs/promises"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import { getRuntimeSession, listModelCalls } from "@patchplane/db"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { RuntimeEventPayload } from "@patchplane/domain"
import { RuntimeAdapter } from "../../src/runtime/runtime-adapter.ts"
import { hostProcessesWith } from "../execution/helpers.ts"
import {
  callTools,
  manyTurnsScript,
  probeScript,
  slowToolScript,
  toolCall,
} from "../../dev/scripted-model/model-scripts.ts"
import {
  budget,
  createWorld,
  kinds,
  rig,
  runWith,
  type RuntimeWorld,
  seedRun,
  startSession,
} from "./harness.ts"

let world: RuntimeWorld
beforeAll(async () => {
  world = await createWorld("pi_limits")
})
afterAll(() => world.close())

describe("Pi runtime limits in the local sandbox", () => {
  it("stops the run with budget_exhausted once the token budget is spent", async () => {
    const { layer, server } = await rig(world, manyTurnsScript(6))
    const runId = await seedRun(world)
    // 120 tokens a call: calls 1-3 fit under 250 tokens, the 4th is refused.
    const result = await runWith(layer)(
      Effect.gen(function* () {
        const runtime = yield* RuntimeAdapter
        const started = yield* startSession(runId, { budget: budget({ maxTokens: 250 }) })
        const outcome = yield* runtime.runTurn(started.session, "keep going")
        const end = yield* runtime.terminate(started.session)
        return { ...started, outcome, end }
      }),
    )
    await server.close()
    expect(result.outcome.status).toBe("budget_exhausted")
    expect(result.end.reason).toBe("budget_exhausted")
    expect(result.end.detail).toContain("token budget spent (360 of 250 tokens)")
    expect(server.requests).toHaveLength(3)
    const calls = await listModelCalls(world.db.db, runId)
    expect(calls.map((call) => call.status)).toEqual([200, 200, 200, 429])
    expect(kinds(result.events).slice(-2)).toEqual(["turn.failed", "session.terminated"])
    const session = await getRuntimeSession(world.db.db, result.session.id)
    expect(session).toMatchObject({
      status: "aborted",
      endReason: "budget_exhausted",
      inputTokens: 300,
      outputTokens: 60,
    })
  }, 60_000)

  it("stops the run with budget_exhausted at the turn budget", async () => {
    const { layer, server } = await rig(world, manyTurnsScript(6))
    const runId = await seedRun(world)
    const result = await runWith(layer)(
      Effect.gen(function* () {
        const runtime = yield* RuntimeAdapter
        const started = yield* startSession(runId, { budget: budget({ maxTurns: 2 }) })
        const outcome = yield* runtime.runTurn(started.session, "keep going")
        return { ...started, outcome, end: yield* runtime.terminate(started.session) }
      }),
    )
    await server.close()
    expect(result.outcome).toMatchObject({ status: "budget_exhausted", turns: 2 })
    expect(result.end).toMatchObject({
      reason: "budget_exhausted",
      detail: "turn budget spent: 2 model turns",
    })
    // A third turn is not reported, and its model call is refused at the
    // gateway (the session's token is revoked the moment the turn starts).
    expect(result.events.filter((event) => event.kind === "turn.started")).toHaveLength(2)
    expect(result.events.filter((event) => event.kind === "tool.requested")).toHaveLength(2)
    expect(server.requests).toHaveLength(2)
  }, 60_000)

  it("stops a turn that runs over its time budget with reason timeout", async () => {
    const { layer, server } = await rig(world, slowToolScript(4322))
    const runId = await seedRun(world)
    const started = performance.now()
    const result = await runWith(layer)(
      Effect.gen(function* () {
        const runtime = yield* RuntimeAdapter
        const session = yield* startSession(runId, { budget: budget({ turnTimeoutSeconds: 1 }) })
        const outcome = yield* runtime.runTurn(session.session, "wait a while")
        const leftovers = yield* Effect.promise(() => hostProcessesWith(`sleep${"\0"}4322`))
        return { ...session, outcome, leftovers, end: yield* runtime.terminate(session.session) }
      }),
    )
    await server.close()
    expect(result.outcome.status).toBe("timeout")
    expect(result.end).toMatchObject({ reason: "timeout", detail: "turn 1 ran longer than 1 s" })
    expect(result.leftovers).toEqual([])
    expect(performance.now() - started).toBeLessThan(15_000)
    const session = await getRuntimeSession(world.db.db, result.session.id)
    expect(session).toMatchObject({ status: "aborted", endReason: "timeout" })
  }, 60_000)

  it("ends the session with reason error when Pi dies", async () => {
    const { layer, server } = await rig(world, [
      callTools(toolCall("bash", { command: "kill -9 $PPID" }, "call_kill")),
    ])
    const runId = await seedRun(world)
    const result = await runWith(layer)(
      Effect.gen(function* () {
        const runtime = yield* RuntimeAdapter
        const session = yield* startSession(runId)
        const outcome = yield* runtime.runTurn(session.session, "self-destruct")
        return { ...session, outcome, end: yield* runtime.terminate(session.session) }
      }),
    )
    await server.close()
    expect(result.outcome.status).toBe("error")
    expect(result.end.reason).toBe("error")
    expect(result.end.detail).toMatch(/^Pi exited unexpectedly/)
    expect(result.events.at(-1)).toMatchObject({ kind: "session.terminated", reason: "error" })
    const session = await getRuntimeSession(world.db.db, result.session.id)
    expect(session).toMatchObject({ status: "failed", endReason: "error" })
  }, 60_000)

  describe("what the sandbox holds and reaches", () => {
    let host: Server
    let hostPort: number
    beforeAll(async () => {
      host = createServer((_req, res) => res.end("host-only"))
      await new Promise<void>((resolve) => host.listen(0, "127.0.0.1", resolve))
      hostPort = (host.address() as AddressInfo).port
    })
    afterAll(() => new Promise<void>((resolve) => host.close(() => resolve())))

    /** Every file under `dir` (the sandbox's host directory), as text. */
    const filesUnder = async (dir: string): Promise<Array<{ path: string; content: string }>> => {
      const out: Array<{ path: string; content: string }> = []
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name)
        if (entry.isDirectory()) out.push(...(await filesUnder(path)))
        else if (entry.isFile() && (await stat(path)).size < 4 * 1024 * 1024)
          out.push({ path, content: await readFile(path, "latin1") })
      }
      return out
    }

    it("holds no provider key (environment, files, other processes) and reaches only the gateway", async () => {
      const probeJs = [
        "const probe = async (name, url, init) => {",
        "  try { const r = await fetch(url, { ...init, signal: AbortSignal.timeout(3000) }); console.log(`${name}:${r.status}`) }",
        "  catch (e) { console.log(`${name}:blocked`) }",
        "}",
        "await probe('provider', process.argv[1])",
        `await probe('host', 'http://127.0.0.1:${hostPort}/')`,
        "await probe('outside', 'http://93.184.215.14/')",
        "await probe('gateway', 'http://127.0.0.1:47823/api/model-gateway/v1/chat/completions', { method: 'POST', body: '{}' })",
        "await probe('other', 'http://127.0.0.1:47823/api/health')",
      ].join("\n")
      const { layer, server } = await rig(world, [])
      const command = [
        "mkdir -p /workspace/probe",
        "env > /workspace/probe/env.txt",
        "for f in /proc/[0-9]*/environ; do tr '\\0' '\\n' < \"$f\"; echo; done > /workspace/probe/environ.txt 2>/dev/null",
        "for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < \"$f\"; echo; done > /workspace/probe/cmdline.txt 2>/dev/null",
        "cp -r /tmp /workspace/probe/tmp",
        `node --input-type=module -e "${probeJs.replaceAll('"', '\\"').replaceAll("`", "\\`").replaceAll("$", "\\$")}" ${server.baseUrl}/chat/completions`,
      ].join("; ")
      // The script names the provider's own URL, so it is known only now.
      server.enqueue(...probeScript(command))
      const runId = await seedRun(world)
      const result = await runWith(layer)(
        Effect.gen(function* () {
          const runtime = yield* RuntimeAdapter
          const started = yield* startSession(runId)
          const outcome = yield* runtime.runTurn(started.session, "look around")
          // Scanned while the sandbox still exists.
          const sandboxDirs = (yield* Effect.promise(() => readdir(world.baseDir))).filter((name) =>
            name.startsWith("pp-sandbox-"),
          )
          const files = (yield* Effect.promise(() =>
            Promise.all(sandboxDirs.map((name) => filesUnder(join(world.baseDir, name)))),
          )).flat()
          yield* runtime.terminate(started.session)
          return { ...started, outcome, files }
        }),
      )
      await server.close()
      expect(result.outcome.status).toBe("completed")
      const probe = result.events.find(
        (event): event is Extract<RuntimeEventPayload, { kind: "tool.completed" }> =>
          event.kind === "tool.completed",
      )
      const lines = probe?.output.trim().split("\n") ?? []
      expect(lines).toEqual([
        "provider:blocked",
        "host:blocked",
        "outside:blocked",
        // The gateway answers (and wants a token); nothing else does.
        "gateway:401",
        "other:404",
      ])

      const key = server.apiKey
      const captured = (suffix: string) =>
        result.files.filter((file) => file.path.endsWith(suffix)).map((file) => file.content)
      // Controls: the probe really captured Pi's environment and config.
      const [env] = captured("probe/env.txt")
      expect(env).toContain("PI_CODING_AGENT_DIR=/tmp/patchplane-pi-")
      expect(env).toContain("PI_OFFLINE=1")
      const [models] = captured("/agent/models.json")
      const apiKey = (
        JSON.parse(models ?? "{}") as { providers?: Record<string, { apiKey?: string }> }
      ).providers?.["patchplane-gateway"]?.apiKey
      expect(apiKey).toMatch(/^pp1\.[\w-]+\.[\w-]+$/)
      expect(captured("probe/environ.txt")[0]).toContain("PI_OFFLINE=1")
      // The token is in Pi's config file only: not in any process's environment or command line.
      expect(captured("probe/environ.txt")[0]).not.toContain(apiKey)
      expect(captured("probe/cmdline.txt")[0]).not.toContain(apiKey)
      // And the provider key is nowhere.
      expect(result.files.length).toBeGreaterThan(5)
      expect(result.files.filter((file) => file.content.includes(key)).map((f) => f.path)).toEqual(
        [],
      )
    }, 60_000)
  })
})
