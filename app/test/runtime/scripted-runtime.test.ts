// The scripted RuntimeAdapter (the stand-in workflow tests use) and the
// session recorder that persists any adapter's events and session state.
import { getRuntimeSession, listRuntimeEvents } from "@patchplane/db"
import { Effect, Exit, Fiber, Layer } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { RuntimeEventPayload } from "@patchplane/domain"
import type { SandboxHandle } from "../../src/execution/index.ts"
import { Database } from "../../src/platform/database.ts"
import { RuntimeAdapter } from "../../src/runtime/runtime-adapter.ts"
import type { SessionEnd } from "../../src/runtime/runtime-types.ts"
import { openRuntimeSession, sessionRecorder } from "../../src/runtime/session-recorder.ts"
import { scriptedRuntimeLayer, type ScriptedRuntimeOptions } from "../support/scripted-runtime.ts"
import { budget, createWorld, kinds, type RuntimeWorld, seedRun } from "./harness.ts"

let world: RuntimeWorld
beforeAll(async () => {
  world = await createWorld("scripted")
})
afterAll(() => world.close())

const sandbox: SandboxHandle = {
  id: "local-test",
  backend: "local",
  workspaceRoot: "/workspace",
  runId: "r",
  labels: {},
  createdAt: new Date(),
  deadline: new Date(Date.now() + 60_000),
}

const layer = (options: ScriptedRuntimeOptions) =>
  Layer.mergeAll(
    scriptedRuntimeLayer(options),
    Layer.succeed(Database, {
      db: world.db.db,
      pool: world.db.pool,
      kind: "test",
      location: world.db.name,
      url: world.db.url,
      ping: Effect.void,
    }),
  )

/** Opens a recorded session on a fresh run and hands it to `use`. */
const recorded = <A, E>(
  options: ScriptedRuntimeOptions,
  use: (
    runtime: RuntimeAdapter["Service"],
    session: Effect.Success<ReturnType<RuntimeAdapter["Service"]["startSession"]>>,
  ) => Effect.Effect<A, E>,
) =>
  seedRun(world).then((runId) =>
    Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const runtime = yield* RuntimeAdapter
          const row = yield* openRuntimeSession({
            runId,
            adapter: runtime.id,
            sandbox,
            budget: budget(),
            approvalPolicy: "escalate",
            sandboxPolicy: "network:none",
          })
          const sink = yield* sessionRecorder({ runId, sessionId: row.id })
          const session = yield* runtime.startSession({
            runId,
            sessionId: row.id,
            sandbox,
            cwd: "/workspace/repo",
            budget: budget(),
            readAgentsMd: false,
            onEvent: sink,
          })
          const value = yield* use(runtime, session)
          return { runId, sessionId: row.id, value }
        }),
      ).pipe(Effect.provide(layer(options))) as Effect.Effect<
        { runId: string; sessionId: string; value: A },
        unknown
      >,
    ),
  )

const toolTurn: ReadonlyArray<RuntimeEventPayload> = [
  { kind: "turn.started", turn: 1 },
  { kind: "tool.requested", toolCallId: "t1", tool: "bash", args: { command: "npm test" } },
  {
    kind: "tool.completed",
    toolCallId: "t1",
    tool: "bash",
    ok: true,
    output: "ok",
    truncated: false,
  },
  { kind: "message", role: "assistant", text: "Tests pass." },
  { kind: "turn.completed", turn: 1, usage: { inputTokens: 10, outputTokens: 5 } },
]

describe("scripted RuntimeAdapter and the session recorder", () => {
  it("plays scripted turns and stores every event in order with the session's state", async () => {
    const ends: Array<SessionEnd> = []
    const result = await recorded(
      { turns: [toolTurn], onTerminate: (end) => ends.push(end) },
      (runtime, session) =>
        Effect.gen(function* () {
          const outcome = yield* runtime.runTurn(session, "run the tests")
          const midway = yield* Effect.promise(() => getRuntimeSession(world.db.db, session.id))
          const activity = yield* runtime.collectArtifacts(session)
          const end = yield* runtime.terminate(session)
          const again = yield* runtime.terminate(session, "error", "late")
          return { outcome, midway, activity, end, again }
        }),
    )
    expect(result.value.outcome).toEqual({
      status: "completed",
      turns: 1,
      lastMessage: "Tests pass.",
      error: null,
    })
    expect(result.value.midway?.status).toBe("running")
    expect(result.value.activity).toEqual({
      artifacts: [],
      toolsUsed: ["bash"],
      commands: ["npm test"],
    })
    // Terminating twice gives the first end; session.terminated is stored once.
    expect(result.value.again).toEqual(result.value.end)
    expect(ends).toHaveLength(1)
    const stored = await listRuntimeEvents(world.db.db, result.runId)
    expect(stored.map((row) => row.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    expect(stored.map((row) => row.kind)).toEqual([
      "session.started",
      "turn.started",
      "message",
      ...toolTurn.slice(1).map((event) => event.kind),
      "session.terminated",
    ])
    expect(await getRuntimeSession(world.db.db, result.sessionId)).toMatchObject({
      adapter: "scripted",
      sandboxId: "local-test",
      status: "completed",
      endReason: "completed",
      timeoutSeconds: 120,
    })
  })

  it("ends the session when a turn exhausts the budget", async () => {
    const result = await recorded(
      {
        turns: [
          {
            events: [
              { kind: "turn.started", turn: 1 },
              { kind: "turn.failed", turn: 1, error: "model budget exhausted" },
            ],
            status: "budget_exhausted",
          },
        ],
      },
      (runtime, session) =>
        Effect.gen(function* () {
          const outcome = yield* runtime.runTurn(session, "go")
          const next = yield* Effect.exit(runtime.runTurn(session, "more"))
          return { outcome, next }
        }),
    )
    expect(result.value.outcome.status).toBe("budget_exhausted")
    expect(Exit.isFailure(result.value.next)).toBe(true)
    const stored = await listRuntimeEvents(world.db.db, result.runId)
    expect(stored.at(-1)?.payload).toEqual({
      kind: "session.terminated",
      reason: "budget_exhausted",
      detail: "model budget exhausted",
    })
    expect(await getRuntimeSession(world.db.db, result.sessionId)).toMatchObject({
      status: "aborted",
      endReason: "budget_exhausted",
    })
  })

  it("steers and aborts a running turn, waits on approvals, and ends with the scope", async () => {
    const steers: Array<string> = []
    const result = await recorded(
      {
        turns: [
          {
            events: [
              { kind: "turn.started", turn: 1 },
              { kind: "approval.required", approvalId: "a1", reason: "delete files?" },
            ],
            durationMs: 10_000,
          },
        ],
        onSteer: (message) => steers.push(message),
      },
      (runtime, session) =>
        Effect.gen(function* () {
          const turn = yield* Effect.forkChild(runtime.runTurn(session, "go"))
          yield* Effect.sleep("50 millis")
          const waiting = yield* Effect.promise(() => getRuntimeSession(world.db.db, session.id))
          yield* runtime.respondToApproval(session, "a1", { approved: true })
          const unknown = yield* Effect.exit(
            runtime.respondToApproval(session, "nope", { approved: false }),
          )
          yield* runtime.steer(session, "only the docs folder")
          yield* runtime.abort(session)
          const outcome = yield* Fiber.join(turn)
          return { waiting, unknown, outcome }
        }),
    )
    expect(result.value.waiting?.status).toBe("waiting")
    expect(Exit.isFailure(result.value.unknown)).toBe(true)
    expect(steers).toEqual(["only the docs folder"])
    expect(result.value.outcome.status).toBe("aborted")
    // Not terminated by the test: closing the scope did it.
    const stored = await listRuntimeEvents(world.db.db, result.runId)
    expect(kinds(stored.map((row) => row.payload as RuntimeEventPayload))).toEqual([
      "session.started",
      "turn.started",
      "message",
      "approval.required",
      "message",
      "session.terminated",
    ])
    expect(stored.at(-1)?.payload).toMatchObject({ reason: "aborted" })
    expect(await getRuntimeSession(world.db.db, result.sessionId)).toMatchObject({
      status: "aborted",
      endReason: "aborted",
    })
  })
})
