// The real Claude Code binary in the real local sandbox, talking the
// Anthropic Messages protocol to the scripted model server through the real
// model gateway: tool calls really run, files really change, events and
// usage really land in PostgreSQL, normalized exactly as Pi's are.
import { listModelCalls, listRuntimeEvents } from "@patchplane/db"
import { Effect, Fiber } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { RuntimeEventPayload } from "@patchplane/domain"
import { ExecutionAdapter } from "../../src/execution/execution-adapter.ts"
import { collectPatchSet } from "../../src/execution/patch-set-collector.ts"
import { RuntimeAdapter } from "../../src/runtime/runtime-adapter.ts"
import { text } from "../execution/helpers.ts"
import {
  claudeEditingScript,
  claudeSlowToolScript,
  editingSummary,
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
  world = await createWorld("claude_runtime")
})
afterAll(() => world.close())

const claude = () => RuntimeAdapter.layerClaudeCode({ model: "claude-scripted" })

const eventArrived = (events: ReadonlyArray<RuntimeEventPayload>, kind: string) =>
  Effect.gen(function* () {
    for (let waited = 0; waited < 30_000; waited += 20) {
      if (events.some((event) => event.kind === kind)) return
      yield* Effect.sleep("20 millis")
    }
    return yield* Effect.die(new Error(`no ${kind} event within 30 s`))
  })

/** User-visible text of an Anthropic request's messages with `role` (string or blocks). */
const anthropicTexts = (
  body: { messages?: ReadonlyArray<{ role: string; content?: unknown }> },
  role: string,
) =>
  (body.messages ?? [])
    .filter((message) => message.role === role)
    .flatMap((message) =>
      typeof message.content === "string"
        ? [message.content]
        : Array.isArray(message.content)
          ? message.content.map((part: unknown) => {
              const block = part as { type?: string; text?: unknown; content?: unknown }
              return block.type === "text" ? String(block.text) : ""
            })
          : [],
    )

describe("Claude Code runtime in the local sandbox", () => {
  it("runs an edit / shell / edit script: changes land in the PatchSet, events normalized like Pi's, usage in the database", async () => {
    const { layer, server } = await rig(world, [], {}, claude())
    const runId = await seedRun(world)
    const result = await runWith(layer)(
      Effect.gen(function* () {
        const runtime = yield* RuntimeAdapter
        const execution = yield* ExecutionAdapter
        const started = yield* startSession(runId)
        server.enqueue(...claudeEditingScript(started.repoPath))
        const outcome = yield* runtime.runTurn(
          started.session,
          "Create hello.txt and greet the world",
        )
        const activity = yield* runtime.collectArtifacts(started.session)
        const end = yield* runtime.terminate(started.session)
        const collected = yield* collectPatchSet({
          sandbox: started.sandbox,
          repoPath: started.repoPath,
          runId,
          runtimeSessionId: started.session.id,
          baseSha: started.baseSha,
          requestedBy: "octocat",
          commands: activity.commands,
          toolsUsed: activity.toolsUsed,
        })
        const hello = text(
          yield* execution.readFile(started.sandbox, `${started.repoPath}/hello.txt`),
        )
        return { ...started, outcome, activity, end, collected, hello }
      }),
    )
    await server.close()
    console.log(
      `Claude Code start-up in the sandbox (spawn → ready): ${result.startupMs.toFixed(0)} ms`,
    )

    expect(result.session.adapter).toBe("claude-code")
    expect(result.outcome).toEqual({
      status: "completed",
      turns: 4,
      lastMessage: editingSummary,
      error: null,
    })
    expect(result.end).toEqual({ reason: "completed", detail: null, turns: 4 })
    expect(result.hello).toBe("hello\nworld\n")
    if (result.collected.kind !== "changes") throw new Error("expected changes")
    expect(
      result.collected.patchSet.files.map((file) => [file.path, file.status, file.additions]),
    ).toEqual([
      ["hello.txt", "added", 2],
      ["shell.txt", "added", 1],
    ])
    expect(result.activity.toolsUsed).toEqual(["Edit", "Bash"])
    expect(result.activity.commands).toEqual([
      "echo from-the-sandbox > shell.txt && cat shell.txt && wc -l hello.txt",
    ])

    // The same normalized sequence as Pi's editing run (pi-runtime.test.ts).
    expect(kinds(result.events)).toEqual([
      "session.started",
      "turn.started",
      "message",
      "tool.requested",
      "tool.completed",
      "turn.completed",
      "turn.started",
      "tool.requested",
      "tool.completed",
      "turn.completed",
      "turn.started",
      "tool.requested",
      "tool.completed",
      "turn.completed",
      "turn.started",
      "message",
      "turn.completed",
      "session.terminated",
    ])
    expect(result.events[0]).toEqual({
      kind: "session.started",
      adapter: "claude-code",
      model: "claude-scripted",
    })
    expect(result.events[2]).toEqual({
      kind: "message",
      role: "user",
      text: "Create hello.txt and greet the world",
    })
    const bash = result.events.find(
      (event) => event.kind === "tool.completed" && event.toolCallId === "toolu_bash",
    )
    expect(bash).toMatchObject({ tool: "Bash", ok: true })
    expect(bash?.kind === "tool.completed" ? bash.output : "").toContain("from-the-sandbox")
    expect(result.events.at(-2)).toEqual({
      kind: "turn.completed",
      turn: 4,
      usage: { inputTokens: 100, outputTokens: 20 },
    })

    // Through the gateway: Anthropic Messages, the provider key added there only.
    expect(server.requests).toHaveLength(4)
    for (const request of server.requests) {
      expect(request.path).toBe("/v1/messages")
      expect(request.authorization).toBe(server.apiKey)
      expect(request.body.model).toBe("claude-scripted")
      expect(request.body.stream).toBe(true)
    }
    const calls = await listModelCalls(world.db.db, runId)
    expect(calls.map((call) => [call.status, call.inputTokens, call.outputTokens])).toEqual([
      [200, 100, 20],
      [200, 100, 20],
      [200, 100, 20],
      [200, 100, 20],
    ])
    const stored = await listRuntimeEvents(world.db.db, runId)
    expect(stored.map((event) => event.payload)).toEqual(result.events)
  }, 120_000)

  it("steer: a message sent mid-turn reaches the model with the next call of the same turn", async () => {
    const { layer, server } = await rig(world, claudeSlowToolScript(2, "steered"), {}, claude())
    const runId = await seedRun(world)
    const result = await runWith(layer)(
      Effect.gen(function* () {
        const runtime = yield* RuntimeAdapter
        const started = yield* startSession(runId)
        const turn = yield* Effect.forkChild(runtime.runTurn(started.session, "nap, then answer"))
        yield* eventArrived(started.events, "tool.requested")
        yield* runtime.steer(started.session, "Use tabs, not spaces.")
        const outcome = yield* Fiber.join(turn)
        yield* runtime.terminate(started.session)
        return { outcome, events: started.events }
      }),
    )
    await server.close()
    expect(result.outcome.status).toBe("completed")
    expect(result.outcome.lastMessage).toBe("steered")
    expect(server.requests).toHaveLength(2)
    const second = server.requests[1]?.body ?? {}
    expect(anthropicTexts(second, "user").join("\n")).toContain("Use tabs, not spaces.")
    expect(result.events).toContainEqual({
      kind: "message",
      role: "user",
      text: "Use tabs, not spaces.",
    })
  }, 120_000)

  it("abort stops the running tool; the session stays open", async () => {
    const { layer, server } = await rig(world, claudeSlowToolScript(60), {}, claude())
    const runId = await seedRun(world)
    const result = await runWith(layer)(
      Effect.gen(function* () {
        const runtime = yield* RuntimeAdapter
        const started = yield* startSession(runId)
        const turn = yield* Effect.forkChild(runtime.runTurn(started.session, "wait a minute"))
        yield* eventArrived(started.events, "tool.requested")
        const t0 = performance.now()
        yield* runtime.abort(started.session)
        const outcome = yield* Fiber.join(turn)
        const stoppedMs = performance.now() - t0
        const end = yield* runtime.terminate(started.session)
        return { outcome, stoppedMs, end, events: started.events }
      }),
    )
    await server.close()
    expect(result.outcome.status).toBe("aborted")
    expect(result.stoppedMs).toBeLessThan(30_000)
    expect(result.end.reason).toBe("completed")
    expect(result.events).toContainEqual({ kind: "turn.failed", turn: 1, error: "aborted" })
    expect(server.requests).toHaveLength(1)
  }, 120_000)

  it("budget exhaustion: once the run's tokens are spent the gateway refuses and the session ends budget_exhausted", async () => {
    // Each scripted call costs 120 tokens: the second call finds the budget of 100 spent.
    const { layer, server } = await rig(world, claudeSlowToolScript(0), {}, claude())
    const runId = await seedRun(world)
    const result = await runWith(layer)(
      Effect.gen(function* () {
        const runtime = yield* RuntimeAdapter
        const started = yield* startSession(runId, { budget: budget({ maxTokens: 100 }) })
        const outcome = yield* runtime.runTurn(started.session, "spend it all")
        const end = yield* runtime.terminate(started.session)
        return { outcome, end, events: started.events }
      }),
    )
    await server.close()
    expect(result.outcome.status).toBe("budget_exhausted")
    expect(result.outcome.error).toContain("patchplane_budget_exhausted")
    expect(result.end.reason).toBe("budget_exhausted")
    expect(result.events.at(-1)).toMatchObject({
      kind: "session.terminated",
      reason: "budget_exhausted",
    })
    // Only the first call reached the provider; the second was refused at the gateway.
    expect(server.requests).toHaveLength(1)
    const calls = await listModelCalls(world.db.db, runId)
    expect(calls.map((call) => call.status)).toEqual([200, 429])
  }, 120_000)

  it("turn budget: the model call after the last allowed turn is refused and the session ends budget_exhausted", async () => {
    const { layer, server } = await rig(world, claudeSlowToolScript(0), {}, claude())
    const runId = await seedRun(world)
    const result = await runWith(layer)(
      Effect.gen(function* () {
        const runtime = yield* RuntimeAdapter
        const started = yield* startSession(runId, { budget: budget({ maxTurns: 1 }) })
        const outcome = yield* runtime.runTurn(started.session, "one turn only")
        const end = yield* runtime.terminate(started.session)
        return { outcome, end, events: started.events }
      }),
    )
    await server.close()
    expect(result.outcome.status).toBe("budget_exhausted")
    expect(result.end.reason).toBe("budget_exhausted")
    expect(result.events.filter((event) => event.kind === "turn.started")).toHaveLength(1)
    // The one allowed call reached the provider; nothing after it did.
    expect(server.requests).toHaveLength(1)
  }, 120_000)
})
