// The real Pi in a Daytona sandbox (the local Daytona: the SDK's session API,
// a bubblewrap container with Pi from its snapshot), calling the model gateway
// over HTTP: events stream live, a steer and an abort reach Pi through
// stdin (sendSessionCommandInput), and an abort ends the session within 2 s.
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { Effect, Fiber, Layer, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type DaytonaStandIn, startDaytonaStandIn } from "../../dev/daytona-stand-in/server.ts"
import { slowToolScript, steerScript } from "../../dev/scripted-model/model-scripts.ts"
import {
  messageTexts,
  type ScriptStep,
  startScriptedModelServer,
} from "../../dev/scripted-model/scripted-model-server.ts"
import type { RuntimeEventPayload } from "@patchplane/domain"
import { ExecutionAdapter } from "../../src/execution/execution-adapter.ts"
import { Database } from "../../src/platform/database.ts"
import { createModelGateway, ModelGateway } from "../../src/runtime/model-gateway.ts"
import { locatePiInstall } from "../../src/runtime/pi-launch.ts"
import { RuntimeAdapter } from "../../src/runtime/runtime-adapter.ts"
import { openRuntimeSession, sessionRecorder } from "../../src/runtime/session-recorder.ts"
import { profile } from "../execution/helpers.ts"
import { budget, createWorld, runWith, type RuntimeWorld, seedRun } from "./harness.ts"

let world: RuntimeWorld
let daytona: DaytonaStandIn
beforeAll(async () => {
  world = await createWorld("pi_daytona")
  daytona = await startDaytonaStandIn({
    apiKey: "dtn_pi_daytona",
    snapshots: { pi: { pi: locatePiInstall() } },
  })
}, 60_000)
afterAll(async () => {
  await daytona?.close()
  await world?.close()
})

/** The scripted model behind a gateway served over HTTP, and the Daytona layers. */
const rig = async (script: ReadonlyArray<ScriptStep>) => {
  const server = await startScriptedModelServer({ script })
  const gateway = createModelGateway({
    db: world.db.db,
    upstream: { baseUrl: server.baseUrl, apiKey: Redacted.make(server.apiKey) },
    secret: Redacted.make("runtime-test-secret"),
  })
  const http: Server = createServer((req, res) => {
    void gateway.handle(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end()
    })
  })
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve))
  const port = (http.address() as AddressInfo).port
  const base = Layer.mergeAll(
    ExecutionAdapter.layerDaytona({
      apiUrl: daytona.apiUrl,
      apiKey: Redacted.make("dtn_pi_daytona"),
      target: "us",
      // The gateway is on loopback: without it on the allow list, Pi could not reach it.
      networkAllowList: ["127.0.0.1/32"],
    }),
    ModelGateway.layerValue(gateway),
    Layer.succeed(Database, {
      db: world.db.db,
      pool: world.db.pool,
      kind: "test",
      location: world.db.name,
      url: world.db.url,
      ping: Effect.void,
    }),
  )
  const layer = Layer.provideMerge(
    RuntimeAdapter.layerPi({
      model: { id: "scripted-model" },
      remote: {
        command: ["pi"],
        gatewayBaseUrl: `http://127.0.0.1:${port}/api/model-gateway/v1`,
      },
    }),
    base,
  )
  const close = async () => {
    http.closeAllConnections()
    await new Promise<void>((resolve) => http.close(() => resolve()))
    await server.close()
  }
  return { server, layer, close }
}

const started = (runId: string) =>
  Effect.gen(function* () {
    const execution = yield* ExecutionAdapter
    const runtime = yield* RuntimeAdapter
    const sandbox = yield* ExecutionAdapter.scoped({
      runId,
      profile: profile({ backend: "daytona", snapshot: "pi", network: "none" }),
    })
    yield* execution.exec(sandbox, ["mkdir", "-p", "repo"])
    const sessionBudget = budget()
    const row = yield* openRuntimeSession({
      runId,
      adapter: runtime.id,
      sandbox,
      budget: sessionBudget,
      approvalPolicy: "escalate",
      sandboxPolicy: "network:none",
    })
    const record = yield* sessionRecorder({ runId, sessionId: row.id })
    const events: Array<RuntimeEventPayload> = []
    const session = yield* runtime.startSession({
      runId,
      sessionId: row.id,
      sandbox,
      cwd: `${sandbox.workspaceRoot}/repo`,
      budget: sessionBudget,
      readAgentsMd: false,
      onEvent: (batch) =>
        Effect.suspend(() => {
          events.push(...batch)
          return record(batch)
        }),
    })
    return { sandbox, session, events }
  })

const eventArrived = (events: ReadonlyArray<RuntimeEventPayload>, kind: string) =>
  Effect.gen(function* () {
    for (let waited = 0; waited < 30_000; waited += 20) {
      if (events.some((event) => event.kind === kind)) return
      yield* Effect.sleep("20 millis")
    }
    return yield* Effect.die(new Error(`no ${kind} event within 30 s`))
  })

describe("Pi on Daytona", () => {
  it("delivers a steer through the session's stdin: it is in the model's next request", async () => {
    const { layer, server, close } = await rig(steerScript(1.5))
    const runId = await seedRun(world)
    const steerText = "Also keep the README untouched, please."
    const result = await runWith(layer)(
      Effect.gen(function* () {
        const runtime = yield* RuntimeAdapter
        const s = yield* started(runId)
        const turn = yield* Effect.forkChild(runtime.runTurn(s.session, "take a nap"))
        yield* eventArrived(s.events, "tool.requested")
        yield* runtime.steer(s.session, steerText)
        const outcome = yield* Fiber.join(turn)
        yield* runtime.terminate(s.session)
        return { ...s, outcome }
      }),
    )
    await close()
    expect(result.outcome.status).toBe("completed")
    expect(server.requests).toHaveLength(2)
    const second = server.requests[1]
    if (second === undefined) throw new Error("the model was asked once")
    expect(messageTexts(second.body, "user").at(-1)).toBe(steerText)
    expect(result.events.at(-1)).toMatchObject({ kind: "session.terminated" })
  }, 90_000)

  it("aborts mid-tool-call: the session ends within 2 s", async () => {
    const { layer, server, close } = await rig(slowToolScript(4321))
    const runId = await seedRun(world)
    const result = await runWith(layer)(
      Effect.gen(function* () {
        const runtime = yield* RuntimeAdapter
        const s = yield* started(runId)
        const turn = yield* Effect.forkChild(runtime.runTurn(s.session, "wait a while"))
        yield* eventArrived(s.events, "tool.requested")
        yield* Effect.sleep("300 millis")
        const stopping = performance.now()
        yield* runtime.abort(s.session)
        const end = yield* runtime.terminate(s.session, "aborted", "operator cancel")
        const elapsed = performance.now() - stopping
        const outcome = yield* Fiber.join(turn)
        return { end, elapsed, outcome }
      }),
    )
    await close()
    expect(result.elapsed).toBeLessThan(2000)
    expect(result.outcome.status).toBe("aborted")
    expect(result.end).toMatchObject({ reason: "aborted", detail: "operator cancel" })
    expect(server.requests).toHaveLength(1)
  }, 90_000)
})
