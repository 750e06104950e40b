// Claude Code in a remote (Daytona) sandbox comes from the image: before a
// session starts, `claude --version` runs in the sandbox, and a missing
// Claude Code or another version fails the start with what to do; the pinned
// one starts and answers Claude Code's own handshake. Checked against the
// local Daytona with one snapshot without any agent and one with the agents
// the Dockerfile installs (the native binary installed with this app).
import { randomUUID } from "node:crypto"
import { readFile } from "node:fs/promises"
import { createTestDatabase, type TestDatabase } from "@patchplane/db/testing"
import { Effect, Layer, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type DaytonaStandIn, startDaytonaStandIn } from "../../dev/daytona-stand-in/server.ts"
import { ExecutionAdapter } from "../../src/execution/execution-adapter.ts"
import { locateClaudeInstall, pinnedClaudeVersion } from "../../src/runtime/claude-launch.ts"
import type { ClaudeRuntimeOptions } from "../../src/runtime/claude-runtime.ts"
import { createModelGateway, ModelGateway } from "../../src/runtime/model-gateway.ts"
import { locatePiInstall } from "../../src/runtime/pi-launch.ts"
import { RuntimeAdapter } from "../../src/runtime/runtime-adapter.ts"
import { sentToDaytona } from "../e2e/sandbox-scan.ts"
import { failureOf, profile } from "../execution/helpers.ts"

let daytona: DaytonaStandIn
let db: TestDatabase

beforeAll(async () => {
  db = await createTestDatabase("claude-remote")
  daytona = await startDaytonaStandIn({
    apiKey: "dtn_claude_remote",
    snapshots: {
      bare: { pi: null },
      "pi-only": { pi: locatePiInstall() },
      agents: { pi: locatePiInstall(), claudeCode: locateClaudeInstall() },
    },
  })
}, 60_000)
afterAll(async () => {
  await daytona?.close()
  await db?.drop()
})

const layer = (remote: ClaudeRuntimeOptions["remote"]) =>
  Layer.provideMerge(
    RuntimeAdapter.layerClaudeCode({
      model: "claude-scripted",
      ...(remote === undefined ? {} : { remote }),
    }),
    Layer.mergeAll(
      ExecutionAdapter.layerDaytona({
        apiUrl: daytona.apiUrl,
        apiKey: Redacted.make("dtn_claude_remote"),
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
    return yield* runtime.terminate(session)
  })

const remote = {
  binaryPath: "claude",
  gatewayBaseUrl: "http://127.0.0.1:9/api/model-gateway",
}

const messageOf = (error: unknown) => String((error as { message?: unknown }).message)

describe("Claude Code in a Daytona image", () => {
  it("fails the start with a clear reason when the image has no Claude Code", async () => {
    for (const snapshot of ["bare", "pi-only"]) {
      const error = await failureOf(layer(remote))(startIn(snapshot))
      expect(messageOf(error)).toMatch(
        /Claude Code is missing from the sandbox image: `claude --version` exited with 127.*Dockerfile.*runtime\.claudeCode\.remote/,
      )
    }
  }, 60_000)

  it("fails the start when the image has another Claude Code version than the pinned one", async () => {
    const error = await failureOf(layer({ ...remote, expectedVersion: "2.0.0" }))(startIn("agents"))
    expect(messageOf(error)).toContain(
      `the sandbox image has Claude Code ${pinnedClaudeVersion()}, but PatchPlane needs Claude Code 2.0.0; rebuild the image`,
    )
  }, 60_000)

  it("starts the pinned Claude Code from the image: version checked, then its handshake answered", async () => {
    const end = await Effect.runPromise(
      Effect.scoped(startIn("agents")).pipe(Effect.provide(layer(remote))),
    )
    expect(end.reason).toBe("completed")
    expect(sentToDaytona(daytona)).toContain("exec claude --version")
  }, 60_000)

  it("refuses a Daytona sandbox when the runtime has no remote settings", async () => {
    const error = await failureOf(layer(undefined))(startIn("agents"))
    expect(messageOf(error)).toContain('needs runtime options "remote"')
  }, 60_000)

  it("the image recipe installs the Claude Code version this app pins, and checks it", async () => {
    const dockerfile = await readFile(
      new URL("../../src/execution/daytona/Dockerfile", import.meta.url),
      "utf8",
    )
    expect(/^ARG CLAUDE_CODE_VERSION=(\S+)$/m.exec(dockerfile)?.[1]).toBe(pinnedClaudeVersion())
    expect(dockerfile).toContain("@anthropic-ai/claude-code@${CLAUDE_CODE_VERSION}")
    expect(dockerfile).toContain("claude --version")
    const manifest = JSON.parse(
      await readFile(new URL("../../package.json", import.meta.url), "utf8"),
    ) as { dependencies: Record<string, string> }
    expect(manifest.dependencies["@anthropic-ai/claude-code"]).toBe(pinnedClaudeVersion())
  })
})
