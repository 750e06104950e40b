// The model provider stops answering mid-call. The model gateway sets no
// deadline of its own on the provider call (runtime/model-gateway.ts
// callUpstream: the fetch is aborted only when the gateway's client goes
// away), so what ends the wait is the session's turn time budget. Real Pi in
// the real local sandbox, through the real gateway, in front of a scripted
// provider that starts its answer and then hangs.
import { getRuntimeSession, listModelCalls } from "@patchplane/db"
import { Effect } from "effect"
import { afterAll, beforeAll, expect, it } from "vitest"
import { RuntimeAdapter } from "../../src/runtime/runtime-adapter.ts"
import { hostProcessesWith } from "../execution/helpers.ts"
import {
  budget,
  createWorld,
  kinds,
  rig,
  runWith,
  type RuntimeWorld,
  seedRun,
  startSession,
} from "../runtime/harness.ts"

let world: RuntimeWorld
beforeAll(async () => {
  world = await createWorld("model_timeout")
})
afterAll(() => world?.close())

it("a provider that hangs mid-answer ends the session cleanly with reason timeout, and the provider call is dropped", async () => {
  const { layer, server } = await rig(world, [{ kind: "hang", text: "Let me think" }])
  const runId = await seedRun(world)
  try {
    const result = await runWith(layer)(
      Effect.gen(function* () {
        const runtime = yield* RuntimeAdapter
        const started = yield* startSession(runId, { budget: budget({ turnTimeoutSeconds: 2 }) })
        const outcome = yield* runtime.runTurn(started.session, "think about it")
        const end = yield* runtime.terminate(started.session)
        return { ...started, outcome, end }
      }),
    )
    expect(server.requests).toHaveLength(1)
    expect(result.outcome.status).toBe("timeout")
    expect(result.end).toMatchObject({ reason: "timeout", detail: "turn 1 ran longer than 2 s" })
    expect(kinds(result.events).at(-1)).toBe("session.terminated")
    expect(result.events.at(-1)).toMatchObject({ kind: "session.terminated", reason: "timeout" })
    expect(await getRuntimeSession(world.db.db, result.session.id)).toMatchObject({
      status: "aborted",
      endReason: "timeout",
    })
    // The hung provider call is cut and recorded as abandoned by its client (499).
    await expect
      .poll(async () => (await listModelCalls(world.db.db, runId)).map((c) => c.status), {
        timeout: 10_000,
      })
      .toEqual([499])
    // Nothing of the session keeps running on the host.
    expect(await hostProcessesWith(world.baseDir)).toEqual([])
  } finally {
    await server.close()
  }
}, 60_000)
