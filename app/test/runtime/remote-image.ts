// What the remote-image tests share: a local Daytona whose snapshots carry
// the agents given (or none), an agent runtime over it behind a gateway with
// no provider, and a session started in a sandbox of one snapshot.
import { randomUUID } from "node:crypto"
import { createTestDatabase, type TestDatabase } from "@patchplane/db/testing"
import { Effect, Layer, Redacted } from "effect"
import { afterAll, beforeAll } from "vitest"
import { type DaytonaStandIn, startDaytonaStandIn } from "../../dev/daytona-stand-in/server.ts"
import type { ImageSpec } from "../../dev/daytona-stand-in/container.ts"
import { ExecutionAdapter } from "../../src/execution/execution-adapter.ts"
import { createModelGateway, ModelGateway } from "../../src/runtime/model-gateway.ts"
import { RuntimeAdapter } from "../../src/runtime/runtime-adapter.ts"
import { profile } from "../execution/helpers.ts"

export interface RemoteImageWorld {
  readonly daytona: () => DaytonaStandIn
  /** The runtime's layer over the local Daytona and a gateway with no provider behind it. */
  readonly layer: <E>(
    runtime: Layer.Layer<RuntimeAdapter, E, ExecutionAdapter | ModelGateway>,
  ) => Layer.Layer<RuntimeAdapter | ExecutionAdapter | ModelGateway, E>
}

const started = <T>(value: T | undefined): T => {
  if (value === undefined) throw new Error("the remote image world has not started")
  return value
}

/** Starts the local Daytona and a test database for this file (closed after it). */
export const remoteImageWorld = (
  name: string,
  snapshots: Record<string, ImageSpec>,
): RemoteImageWorld => {
  const apiKey = `dtn_${name.replaceAll("-", "_")}`
  let daytona: DaytonaStandIn | undefined
  let db: TestDatabase | undefined
  beforeAll(async () => {
    db = await createTestDatabase(name)
    daytona = await startDaytonaStandIn({ apiKey, snapshots })
  }, 60_000)
  afterAll(async () => {
    await daytona?.close()
    await db?.drop()
  })
  return {
    daytona: () => started(daytona),
    layer: (runtime) =>
      Layer.provideMerge(
        runtime,
        Layer.mergeAll(
          ExecutionAdapter.layerDaytona({
            apiUrl: started(daytona).apiUrl,
            apiKey: Redacted.make(apiKey),
            target: "us",
          }),
          ModelGateway.layerValue(
            createModelGateway({
              db: started(db).db,
              upstream: { baseUrl: "http://127.0.0.1:9/v1", apiKey: null },
            }),
          ),
        ),
      ),
  }
}

/** A session of the runtime in a new sandbox of `snapshot` (the sandbox lives as long as the scope). */
export const startSessionIn = (snapshot: string) =>
  Effect.gen(function* () {
    const sandbox = yield* ExecutionAdapter.scoped({
      runId: randomUUID(),
      profile: profile({ backend: "daytona", snapshot, network: "egress" }),
    })
    const runtime = yield* RuntimeAdapter
    const session = yield* runtime.startSession({
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
    return { runtime, session }
  })

/** The message of a failure, whatever its type. */
export const messageOf = (error: unknown) => String((error as { message?: unknown }).message)
