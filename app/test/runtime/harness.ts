// Shared by the runtime tests: a migrated test database with a seeded run, a
// scripted model server behind a real model gateway, and the real Pi runtime
// in the real local sandbox with a checkout of a small repository.
import { rm } from "node:fs/promises"
import { join } from "node:path"
import {
  insertPromptRequest,
  insertWorkflowRun,
  upsertInstallation,
  upsertRepository,
} from "@patchplane/db"
import { createTestDatabase, type TestDatabase } from "@patchplane/db/testing"
import { Effect, Layer, Redacted, type Scope } from "effect"
import type { RuntimeEventPayload } from "@patchplane/domain"
import { ExecutionAdapter } from "../../src/execution/execution-adapter.ts"
import type { SandboxHandle } from "../../src/execution/index.ts"
import { Database } from "../../src/platform/database.ts"
import {
  createModelGateway,
  ModelGateway,
  type ModelGatewayShape,
} from "../../src/runtime/model-gateway.ts"
import type { PiRuntimeOptions } from "../../src/runtime/pi-runtime.ts"
import { RuntimeAdapter } from "../../src/runtime/runtime-adapter.ts"
import type {
  RuntimeSessionHandle,
  SessionBudget,
  StartSessionRequest,
} from "../../src/runtime/runtime-types.ts"
import { openRuntimeSession, sessionRecorder } from "../../src/runtime/session-recorder.ts"
import { openTempDir, profile, type SeededRemote, seedRemote } from "../execution/helpers.ts"
import {
  type ScriptStep,
  type ScriptedModelServer,
  startScriptedModelServer,
} from "../../dev/scripted-model/scripted-model-server.ts"

export const remotePath = "/remotes/demo.git"

export interface RuntimeWorld {
  readonly db: TestDatabase
  readonly baseDir: string
  readonly remote: SeededRemote
  close(): Promise<void>
}

export const createWorld = async (label: string): Promise<RuntimeWorld> => {
  const db = await createTestDatabase(label)
  const baseDir = await openTempDir("pp-runtime-")
  const remote = await seedRemote(join(baseDir, "origin"), {
    "README.md": "# demo\n",
    "src/greet.txt": "hello\n",
  })
  return {
    db,
    baseDir,
    remote,
    close: async () => {
      await db.drop()
      await rm(baseDir, { recursive: true, force: true })
    },
  }
}

let seeded = 5000

/** A WorkflowRun (with its installation, repository and request) to hang sessions on. */
export const seedRun = async (world: RuntimeWorld): Promise<string> => {
  seeded += 1
  const db = world.db.db
  const installation = await upsertInstallation(db, {
    installationId: seeded,
    accountLogin: "octo",
    accountId: 1,
    accountType: "Organization",
  })
  const repository = await upsertRepository(db, {
    githubInstallationId: installation.id,
    githubRepoId: seeded,
    fullName: `octo/demo-${seeded}`,
  })
  const request = await insertPromptRequest(db, {
    repositoryId: repository.id,
    prompt: "make the change",
    sourceChannel: "issue_comment",
    targetRef: "main",
    initiator: { kind: "github", login: "octocat", id: 1 },
    initiatorLogin: "octocat",
    issueNumber: 1,
  })
  const run = await insertWorkflowRun(db, {
    promptRequestId: request.id,
    repositoryId: repository.id,
  })
  return run.id
}

export const budget = (overrides: Partial<SessionBudget> = {}): SessionBudget => ({
  maxTurns: 30,
  turnTimeoutSeconds: 60,
  runTimeoutSeconds: 120,
  maxTokens: 1_000_000,
  maxCostUsd: 10,
  ...overrides,
})

export interface Rig {
  readonly server: ScriptedModelServer
  readonly gateway: ModelGatewayShape
  readonly layer: Layer.Layer<RuntimeAdapter | ExecutionAdapter | Database | ModelGateway>
}

/** The scripted model server, the gateway in front of it and the live layers. */
export const rig = async (
  world: RuntimeWorld,
  script: ReadonlyArray<ScriptStep>,
  options: PiRuntimeOptions = {},
  /** Another runtime than Pi (e.g. RuntimeAdapter.layerClaudeCode()). */
  runtimeLayer?: Layer.Layer<RuntimeAdapter, never, ExecutionAdapter | ModelGateway>,
): Promise<Rig> => {
  const server = await startScriptedModelServer({ script })
  const gateway = createModelGateway({
    db: world.db.db,
    upstream: { baseUrl: server.baseUrl, apiKey: Redacted.make(server.apiKey) },
    secret: Redacted.make("runtime-test-secret"),
    pricing: { inputUsdPerMTok: 1, outputUsdPerMTok: 2 },
  })
  const database = Layer.succeed(Database, {
    db: world.db.db,
    pool: world.db.pool,
    kind: "test",
    location: world.db.name,
    url: world.db.url,
    ping: Effect.void,
  })
  const base = Layer.mergeAll(
    ExecutionAdapter.layerLocal({
      baseDir: world.baseDir,
      readOnlyBinds: [{ hostPath: world.remote.bareDir, sandboxPath: remotePath }],
    }),
    ModelGateway.layerValue(gateway),
    database,
  )
  const layer = Layer.provideMerge(
    runtimeLayer ?? RuntimeAdapter.layerPi({ model: { id: "scripted-model" }, ...options }),
    base,
  )
  return { server, gateway, layer }
}

export interface StartedSession {
  readonly sandbox: SandboxHandle
  readonly session: RuntimeSessionHandle
  readonly runId: string
  readonly repoPath: string
  readonly baseSha: string
  /** Every event the adapter delivered, in order. */
  readonly events: Array<RuntimeEventPayload>
  /** From startSession to Pi ready (session.started), in ms. */
  readonly startupMs: number
}

/** Sandbox, checkout, RuntimeSession row, recorder and a started Pi session. */
export const startSession = (
  runId: string,
  overrides: Partial<StartSessionRequest> = {},
): Effect.Effect<
  StartedSession,
  unknown,
  RuntimeAdapter | ExecutionAdapter | Database | Scope.Scope
> =>
  Effect.gen(function* () {
    const execution = yield* ExecutionAdapter
    const runtime = yield* RuntimeAdapter
    const sandbox = yield* ExecutionAdapter.scoped({ runId, profile: profile() })
    const checkout = yield* execution.checkout(sandbox, { url: remotePath, path: "repo" })
    const sessionBudget = overrides.budget ?? budget()
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
    const starting = performance.now()
    const session = yield* runtime.startSession({
      runId,
      sessionId: row.id,
      sandbox,
      cwd: checkout.path,
      budget: sessionBudget,
      readAgentsMd: false,
      onEvent: (batch) =>
        Effect.suspend(() => {
          events.push(...batch)
          return record(batch)
        }),
      ...overrides,
    })
    const startupMs = performance.now() - starting
    return {
      sandbox,
      session,
      runId,
      repoPath: checkout.path,
      baseSha: checkout.headSha,
      events,
      startupMs,
    }
  })

export const runWith =
  <R>(layer: Layer.Layer<R, unknown>) =>
  <A, E>(effect: Effect.Effect<A, E, R | Scope.Scope>): Promise<A> =>
    Effect.runPromise(
      Effect.scoped(effect).pipe(Effect.provide(layer)) as Effect.Effect<A, unknown>,
    )

export const kinds = (events: ReadonlyArray<RuntimeEventPayload>): Array<string> =>
  events.map((event) => event.kind)
