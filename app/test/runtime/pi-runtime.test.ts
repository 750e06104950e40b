// The real Pi coding agent in the real local sandbox, talking to a scripted
// OpenAI-compatible model server through the real model gateway: tool calls
// really run, files really change, events and usage really land in PostgreSQL.
import { getRuntimeSession, listModelCalls, listRuntimeEvents } from "@patchplane/db"
import { Effect, Fiber } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { RuntimeEventPayload } from "@patchplane/domain"
import { ExecutionAdapter } from "../../src/execution/execution-adapter.ts"
import { collectPatchSet } from "../../src/execution/patch-set-collector.ts"
import { RuntimeAdapter } from "../../src/runtime/runtime-adapter.ts"
import { hostProcessesWith, text } from "../execution/helpers.ts"
import {
  editingScript,
  editingSummary,
  slowToolScript,
  steerScript,
} from "../../dev/scripted-model/model-scripts.ts"
import { messageTexts } from "../../dev/scripted-model/scripted-model-server.ts"
import {
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
  world = await createWorld("pi_runtime")
})
afterAll(() => world.close())

/** Waits (polling) until an event of `kind` was delivered. */
const eventArrived = (events: ReadonlyArray<RuntimeEventPayload>, kind: string) =>
  Effect.gen(function* () {
    for (let waited = 0; waited < 20_000; waited += 20) {
      if (events.some((event) => event.kind === kind)) return
      yield* Effect.sleep("20 millis")
    }
    return yield* Effect.die(new Error(`no ${kind} event within 20 s`))
  })

describe("Pi runtime in the local sandbox", () => {
  it("runs a write / shell / edit script: the changes land in the PatchSet, events and usage in the database", async () => {
    const { layer, server } = await rig(world, editingScript())
    const runId = await seedRun(world)
    const result = await runWith(layer)(
      Effect.gen(function* () {
        const runtime = yield* RuntimeAdapter
        const execution = yield* ExecutionAdapter
        const started = yield* startSession(runId)
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
    console.log(`Pi start-up in the sandbox (spawn → ready): ${result.startupMs.toFixed(0)} ms`)

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
    expect(result.collected.patchSet.toolsUsed).toEqual(["write", "bash", "edit"])

    // The normalized sequence: nothing of Pi's own vocabulary.
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
    expect(result.events[2]).toEqual({
      kind: "message",
      role: "user",
      text: "Create hello.txt and greet the world",
    })
    expect(result.events[7]).toEqual({
      kind: "tool.requested",
      toolCallId: "call_bash",
      tool: "bash",
      args: { command: "echo from-the-sandbox > shell.txt && cat shell.txt && wc -l hello.txt" },
    })
    expect(result.events[8]).toEqual({
      kind: "tool.completed",
      toolCallId: "call_bash",
      tool: "bash",
      ok: true,
      output: "from-the-sandbox\n2 hello.txt\n",
      truncated: false,
    })
    expect(result.events[16]).toEqual({
      kind: "turn.completed",
      turn: 4,
      usage: { inputTokens: 100, outputTokens: 20 },
    })

    // Stored in order with gapless seqs, attributed to the session.
    const stored = await listRuntimeEvents(world.db.db, runId)
    expect(stored.map((row) => row.seq)).toEqual(result.events.map((_, index) => index + 1))
    expect(stored.map((row) => row.payload)).toEqual(result.events)
    expect(new Set(stored.map((row) => row.runtimeSessionId))).toEqual(new Set([result.session.id]))

    // Usage from the provider's figures: 4 calls × (100 in, 20 out) at $1/$2 per MTok.
    const session = await getRuntimeSession(world.db.db, result.session.id)
    expect(session).toMatchObject({
      adapter: "pi",
      sandboxId: result.sandbox.id,
      status: "completed",
      endReason: "completed",
      inputTokens: 400,
      outputTokens: 80,
    })
    expect(session?.costUsd).toBeCloseTo(0.00056, 8)
    expect(session?.endedAt).toBeInstanceOf(Date)
    const calls = await listModelCalls(world.db.db, runId)
    expect(
      calls.map((call) => [call.status, call.model, call.inputTokens, call.outputTokens]),
    ).toEqual(Array.from({ length: 4 }, () => [200, "scripted-model", 100, 20]))

    // Only the gateway held the provider key; it asked for streamed usage.
    expect(server.requests).toHaveLength(4)
    for (const request of server.requests) {
      expect(request.authorization).toBe(`Bearer ${server.apiKey}`)
      expect(request.body.stream).toBe(true)
      expect(request.body.stream_options).toEqual({ include_usage: true })
    }
    // Pi's context shows the tool results the sandbox produced.
    expect(messageTexts(server.requests[2]!.body, "tool").join("\n")).toContain("from-the-sandbox")

    expect(result.activity.commands).toEqual([
      "echo from-the-sandbox > shell.txt && cat shell.txt && wc -l hello.txt",
    ])
    const [transcript] = result.activity.artifacts
    expect(transcript?.name).toBe("pi-transcript.json")
    expect(JSON.parse(transcript?.content ?? "[]")).toHaveLength(8)
  }, 60_000)

  it("aborts mid-tool-call: the session ends within 2 s and nothing keeps running", async () => {
    const { layer, server } = await rig(world, slowToolScript(4321))
    const runId = await seedRun(world)
    const result = await runWith(layer)(
      Effect.gen(function* () {
        const runtime = yield* RuntimeAdapter
        const started = yield* startSession(runId)
        const turn = yield* Effect.forkChild(runtime.runTurn(started.session, "wait a while"))
        yield* eventArrived(started.events, "tool.requested")
        yield* Effect.sleep("300 millis")
        const stopping = performance.now()
        yield* runtime.abort(started.session)
        const end = yield* runtime.terminate(started.session, "aborted", "operator cancel")
        const elapsed = performance.now() - stopping
        const outcome = yield* Fiber.join(turn)
        const leftovers = yield* Effect.promise(() => hostProcessesWith(`sleep${"\0"}4321`))
        return { ...started, end, elapsed, outcome, leftovers }
      }),
    )
    await server.close()
    console.log(`abort → session.terminated: ${result.elapsed.toFixed(0)} ms`)
    expect(result.elapsed).toBeLessThan(2000)
    expect(result.outcome.status).toBe("aborted")
    expect(result.end).toMatchObject({ reason: "aborted", detail: "operator cancel" })
    expect(result.leftovers).toEqual([])
    const completed = result.events.find((event) => event.kind === "tool.completed")
    expect(completed).toMatchObject({ toolCallId: "call_slow", ok: false })
    expect(result.events.at(-1)).toEqual({
      kind: "session.terminated",
      reason: "aborted",
      detail: "operator cancel",
    })
    // The model was asked once: the abort stopped the loop.
    expect(server.requests).toHaveLength(1)
    const session = await getRuntimeSession(world.db.db, result.session.id)
    expect(session).toMatchObject({ status: "aborted", endReason: "aborted" })
  }, 60_000)

  it("ends the session when the run's scope closes mid-turn (cancel), events flushed first", async () => {
    const { layer, server } = await rig(world, slowToolScript(4323))
    const runId = await seedRun(world)
    let sessionId = ""
    let events: Array<RuntimeEventPayload> = []
    const started = await runWith(layer)(
      Effect.gen(function* () {
        const runtime = yield* RuntimeAdapter
        const session = yield* startSession(runId)
        sessionId = session.session.id
        events = session.events
        yield* Effect.forkChild(runtime.runTurn(session.session, "wait a while"))
        yield* eventArrived(session.events, "tool.requested")
        return performance.now()
      }),
    )
    const elapsed = performance.now() - started
    await server.close()
    expect(elapsed).toBeLessThan(2000)
    expect(await hostProcessesWith(`sleep${"\0"}4323`)).toEqual([])
    // Pi's last words (the aborted tool, the end of its turn) are delivered before the end.
    expect(kinds(events).slice(-3)).toEqual([
      "tool.completed",
      "turn.completed",
      "session.terminated",
    ])
    expect(events.at(-3)).toMatchObject({ toolCallId: "call_slow", ok: false })
    expect(events.at(-1)).toEqual({
      kind: "session.terminated",
      reason: "aborted",
      detail: "the run stopped the session",
    })
    const stored = await listRuntimeEvents(world.db.db, runId)
    expect(stored.map((row) => row.payload)).toEqual(events)
    expect(await getRuntimeSession(world.db.db, sessionId)).toMatchObject({
      status: "aborted",
      endReason: "aborted",
    })
  }, 60_000)

  it("delivers a steer message mid-run: it is in the model's next request", async () => {
    const { layer, server } = await rig(world, steerScript(1.5))
    const runId = await seedRun(world)
    const steerText = "Also keep the README untouched, please."
    const result = await runWith(layer)(
      Effect.gen(function* () {
        const runtime = yield* RuntimeAdapter
        const started = yield* startSession(runId)
        const turn = yield* Effect.forkChild(runtime.runTurn(started.session, "take a nap"))
        yield* eventArrived(started.events, "tool.requested")
        yield* runtime.steer(started.session, steerText)
        const outcome = yield* Fiber.join(turn)
        yield* runtime.terminate(started.session)
        return { ...started, outcome }
      }),
    )
    await server.close()
    expect(result.outcome.status).toBe("completed")
    expect(server.requests).toHaveLength(2)
    expect(messageTexts(server.requests[0]!.body, "user")).not.toContain(steerText)
    expect(messageTexts(server.requests[1]!.body, "user").at(-1)).toBe(steerText)
    // Reported when Pi delivered it: after the tool finished, before the next model call.
    const steerAt = result.events.findIndex(
      (event) => event.kind === "message" && event.role === "user" && event.text === steerText,
    )
    const toolDoneAt = result.events.findIndex((event) => event.kind === "tool.completed")
    expect(steerAt).toBeGreaterThan(toolDoneAt)
    expect(result.events[steerAt - 1]).toEqual({ kind: "turn.started", turn: 2 })
  }, 60_000)
})
