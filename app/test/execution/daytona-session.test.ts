// Interactive processes on Daytona (ExecutionAdapter.spawn through the SDK's
// session API) against the local Daytona: real sandboxes that start in
// steps, real bubblewrap processes, the follow-logs WebSocket.
import { Effect, Fiber, Redacted, Stream } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { type DaytonaStandIn, startDaytonaStandIn } from "../../dev/daytona-stand-in/server.ts"
import { ExecutionAdapter } from "../../src/execution/execution-adapter.ts"
import { OperationUnsupportedError } from "../../src/execution/execution-errors.ts"
import { failureOf, profile, runIn } from "./helpers.ts"

let daytona: DaytonaStandIn

beforeEach(async () => {
  daytona = await startDaytonaStandIn({
    apiKey: "dtn_stand_in",
    snapshots: { plain: { pi: null } },
  })
})
afterEach(async () => {
  await daytona.close()
})

const layer = () =>
  ExecutionAdapter.layerDaytona({
    apiUrl: daytona.apiUrl,
    apiKey: Redacted.make("dtn_stand_in"),
    target: "us",
    retryDelay: "10 millis",
  })

const spec = (runId: string) => ({
  runId,
  profile: profile({ snapshot: "plain", network: "egress" }),
})

describe("Daytona sessions", () => {
  it("streams a process's lines, feeds its stdin, and reports its exit code", async () => {
    const result = await runIn(layer())(
      Effect.gen(function* () {
        const adapter = yield* ExecutionAdapter
        const sandbox = yield* ExecutionAdapter.scoped(spec("run-session"))
        const proc = yield* adapter.spawn(sandbox, [
          "sh",
          "-c",
          'echo ready; while read line; do echo "got:$line"; [ "$line" = bye ] && exit 3; done',
        ])
        const lines: Array<string> = []
        const collected = yield* Effect.forkChild(
          Stream.runForEach(proc.lines, (line) => Effect.sync(() => lines.push(line))),
        )
        yield* proc.write("hello\n")
        yield* proc.write("bye\n")
        const exit = yield* proc.exit
        yield* Fiber.join(collected)
        return { lines, exit }
      }),
    )
    expect(result.lines).toEqual(["ready", "got:hello", "got:bye"])
    expect(result.exit).toMatchObject({ exitCode: 3, killed: false, timedOut: false })
    // The SDK waited for the sandbox to start: it polled while it was creating/starting.
    const polls = daytona.requests.filter(
      (r) => r.method === "GET" && /^\/api\/sandbox\/[^/]+$/.test(r.path),
    )
    expect(polls.length).toBeGreaterThan(0)
    expect(daytona.requests.some((r) => r.path.endsWith("/logs?follow=true"))).toBe(true)
  })

  it("kill deletes the session and ends the process within 2 s", async () => {
    const elapsed = await runIn(layer())(
      Effect.gen(function* () {
        const adapter = yield* ExecutionAdapter
        const sandbox = yield* ExecutionAdapter.scoped(spec("run-kill"))
        const proc = yield* adapter.spawn(sandbox, ["sh", "-c", "echo up; sleep 600"])
        const first = yield* Stream.runHead(proc.lines)
        expect(first._tag === "Some" && first.value).toBe("up")
        const started = Date.now()
        yield* proc.kill
        const exit = yield* proc.exit
        expect(exit.killed).toBe(true)
        return Date.now() - started
      }),
    )
    expect(elapsed).toBeLessThan(2000)
    expect(
      daytona.requests.some((r) => r.method === "DELETE" && r.path.includes("/process/session/")),
    ).toBe(true)
  })

  it("a sandbox that dies mid-run ends the process with Daytona's reason", async () => {
    const result = await runIn(layer())(
      Effect.gen(function* () {
        const adapter = yield* ExecutionAdapter
        const sandbox = yield* ExecutionAdapter.scoped(spec("run-dies"))
        const proc = yield* adapter.spawn(sandbox, ["sh", "-c", "echo up; sleep 600"])
        yield* Stream.runHead(proc.lines)
        daytona.killSandbox(sandbox.id, "runner lost")
        const exit = yield* proc.exit
        return { exit, stderr: proc.stderrTail() }
      }),
    )
    expect(result.exit.exitCode).toBeNull()
    expect(result.stderr).toContain("runner lost")
  })

  it("refuses host binds with a typed error: a Daytona sandbox cannot see the host", async () => {
    const error = await failureOf(layer())(
      Effect.gen(function* () {
        const adapter = yield* ExecutionAdapter
        const sandbox = yield* ExecutionAdapter.scoped(spec("run-binds"))
        return yield* adapter.spawn(sandbox, ["true"], {
          binds: [{ hostPath: "/usr/lib", sandboxPath: "/opt/agent" }],
        })
      }),
    )
    expect(error).toBeInstanceOf(OperationUnsupportedError)
    expect(error).toMatchObject({ backend: "daytona", operation: "spawn" })
  })

  it("stops a process at its time limit by deleting its session", async () => {
    const exit = await runIn(layer())(
      Effect.gen(function* () {
        const adapter = yield* ExecutionAdapter
        const sandbox = yield* ExecutionAdapter.scoped(spec("run-timeout"))
        const proc = yield* adapter.spawn(sandbox, ["sleep", "600"], { timeoutSeconds: 1 })
        return yield* proc.exit
      }),
    )
    expect(exit).toMatchObject({ exitCode: null, timedOut: true })
    expect(
      daytona.requests.some((r) => r.method === "DELETE" && r.path.includes("/process/session/")),
    ).toBe(true)
  })
})
