// Pi in a remote (Daytona) sandbox comes from the image: before a session
// starts, `pi --version` runs in the sandbox, and a missing Pi or another
// version fails the start with what to do — checked against the local Daytona
// with one snapshot without Pi and one with the pinned Pi.
import { randomUUID } from "node:crypto"
import { readFile } from "node:fs/promises"
import { createTestDatabase, type TestDatabase } from "@patchplane/db/testing"
import { Effect, Layer, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type DaytonaStandIn, startDaytonaStandIn } from "../../dev/daytona-stand-in/server.ts"
import { ExecutionAdapter } from "../../src/execution/execution-adapter.ts"
import { createModelGateway, ModelGateway } from "../../src/runtime/model-gateway.ts"
import { locatePiInstall, pinnedPiVersion } from "../../src/runtime/pi-launch.ts"
import type { PiRuntimeOptions } from "../../src/runtime/pi-runtime.ts"
import { RuntimeAdapter } from "../../src/runtime/runtime-adapter.ts"
import { failureOf, profile } from "../execution/helpers.ts"

let daytona: DaytonaStandIn
let db: TestDatabase

beforeAll(async () => {
  db = await createTestDatabase("pi-remote")
  daytona = await startDaytonaStandIn({
    apiKey: "dtn_pi_remote",
    snapshots: { bare: { pi: null }, pi: { pi: locatePiInstall() } },
  })
}, 60_000)
afterAll(async () => {
  await daytona?.close()
  await db?.drop()
})

const layer = (remote: PiRuntimeOptions["remote"]) =>
  Layer.provideMerge(
    RuntimeAdapter.layerPi(remote === undefined ? {} : { remote }),
    Layer.mergeAll(
      ExecutionAdapter.layerDaytona({
        apiUrl: daytona.apiUrl,
        apiKey: Redacted.make("dtn_pi_remote"),
        target: "us",
      }),
      ModelGateway.layerValue(
        createModelGateway({
          db: db.db,
          upstream: { baseUrl: "http://127.0.0.1:9/v1", apiKey: null },
        }),
      ),
    ),
  )

const startIn = (snapshot: string) =>
  Effect.gen(function* () {
    const sandbox = yield* ExecutionAdapter.scoped({
      runId: randomUUID(),
      profile: profile({ backend: "daytona", snapshot, network: "egress" }),
    })
    const runtime = yield* RuntimeAdapter
    return yield* runtime.startSession({
      runId: sandbox.runId,
      sessionId: randomUUID(),
      sandbox,
      cwd: sandbox.workspaceRoot,
      budget: {
        maxTurns: 1,
        turnTimeoutSeconds: 30,
        runTimeoutSeconds: 60,
        maxTokens: 1000,
        maxCostUsd: 1,
      },
      readAgentsMd: false,
      onEvent: () => Effect.void,
    })
  })

const remote = { command: ["pi"], gatewayBaseUrl: "http://127.0.0.1:9/api/model-gateway/v1" }

describe("Pi in a Daytona image", () => {
  it("fails the start with a clear reason when the image has no Pi", async () => {
    const error = await failureOf(layer(remote))(startIn("bare"))
    expect(String((error as { message?: unknown }).message)).toMatch(
      /Pi is missing from the sandbox image: `pi --version` exited with 127.*Dockerfile/,
    )
  }, 60_000)

  it("fails the start when the image has another Pi version than the pinned one", async () => {
    const error = await failureOf(layer({ ...remote, expectedVersion: "0.0.1" }))(startIn("pi"))
    expect(String((error as { message?: unknown }).message)).toContain(
      `the sandbox image has Pi ${pinnedPiVersion()}, but PatchPlane needs Pi 0.0.1`,
    )
  }, 60_000)

  it("refuses a Daytona sandbox when the runtime has no remote settings", async () => {
    const error = await failureOf(layer(undefined))(startIn("pi"))
    expect(String((error as { message?: unknown }).message)).toContain(
      'needs runtime options "remote"',
    )
  }, 60_000)

  it("the image recipe installs the Pi version this app pins", async () => {
    const dockerfile = await readFile(
      new URL("../../src/execution/daytona/Dockerfile", import.meta.url),
      "utf8",
    )
    expect(/^ARG PI_VERSION=(\S+)$/m.exec(dockerfile)?.[1]).toBe(pinnedPiVersion())
    expect(dockerfile).toContain("@mariozechner/pi-coding-agent@${PI_VERSION}")
  })
})
