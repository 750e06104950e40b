// Daytona failing: a 500 on every sandbox create, and a sandbox that dies in
// the middle of a command. The real Daytona adapter (the SDK over HTTP)
// against the loopback Daytona fake; then the same faults inside a durable
// run, whose RunSteps hold their sandboxes through that adapter.
import { Effect, Fiber, ManagedRuntime, Redacted } from "effect"
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { ExecutionAdapter } from "../../src/execution/execution-adapter.ts"
import { ExecutionError } from "../../src/execution/execution-errors.ts"
import type { SandboxHandle } from "../../src/execution/index.ts"
import type { RunSteps } from "../../src/orchestration/run-steps.ts"
import { type FakeDaytona, startFakeDaytona } from "../execution/fake-daytona.ts"
import { failureOf, profile } from "../execution/helpers.ts"
import { type OrchestrationHarness, startOrchestrationHarness } from "../orchestration/harness.ts"

let fake: FakeDaytona

const daytona = () =>
  ExecutionAdapter.layerDaytona({
    apiUrl: fake.apiUrl,
    apiKey: Redacted.make("dtn_fault_key"),
    target: "eu",
    retryDelay: "10 millis",
  })

const creates = () => fake.requests.filter((r) => r.method === "POST" && r.path === "/api/sandbox")
const deletes = () =>
  fake.requests.filter((r) => r.method === "DELETE" && r.path.startsWith("/api/sandbox/"))

/** Deletes a sandbox behind PatchPlane's back, as Daytona does when it dies or hits its TTL. */
const killSandbox = async (id: string) => {
  const res = await fetch(`${fake.apiUrl}/sandbox/${id}`, { method: "DELETE" })
  expect(res.status).toBe(200)
}

describe("the Daytona adapter", () => {
  beforeEach(async () => {
    fake = await startFakeDaytona()
  })
  afterEach(() => fake.close())

  it("a command whose sandbox dies under it fails as an ExecutionError with Daytona's reason", async () => {
    fake.onExec = (script) =>
      script.includes("npm test")
        ? { status: 502, message: "sandbox container exited unexpectedly (OOMKilled)" }
        : script.includes("sleep")
          ? { hang: true }
          : { exitCode: 0, result: "" }
    const errors = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const adapter = yield* ExecutionAdapter
          const sandbox = yield* ExecutionAdapter.scoped({
            runId: "run-dies",
            profile: profile(),
          })
          // Daytona answers with an error of its own.
          const answered = yield* Effect.flip(adapter.exec(sandbox, ["npm", "test"]))
          // Daytona deletes the sandbox while a command runs: the connection is cut.
          const running = yield* Effect.forkChild(
            Effect.flip(adapter.exec(sandbox, ["sleep", "600"])),
          )
          yield* Effect.promise(() => fake.waitForExec("sleep"))
          yield* Effect.promise(() => killSandbox(sandbox.id))
          const cut = yield* Fiber.join(running)
          return { sandbox, answered, cut }
        }),
      ).pipe(Effect.provide(daytona())),
    )
    expect(errors.answered).toBeInstanceOf(ExecutionError)
    expect(errors.answered).toMatchObject({ operation: "exec", sandboxId: errors.sandbox.id })
    expect(errors.answered.message).toMatch(/^Daytona: /)
    expect(errors.answered.message).toContain("OOMKilled")
    expect(errors.cut).toBeInstanceOf(ExecutionError)
    expect(errors.cut).toMatchObject({ operation: "exec", sandboxId: errors.sandbox.id })
    expect(errors.cut.message).toMatch(/^Daytona: \S/)
  }, 30_000)

  it("a 500 on every create is an ExecutionError naming the run and the status, with nothing to delete", async () => {
    fake.createFailures = [500, 500, 500]
    const error = await failureOf(daytona())(
      ExecutionAdapter.scoped({ runId: "run-500", profile: profile() }),
    )
    expect(error).toBeInstanceOf(ExecutionError)
    expect(error).toMatchObject({ operation: "create", sandboxId: null })
    expect(error.message).toMatch(
      /^Daytona could not create a sandbox for run run-500 \(HTTP 500\): .*runner unavailable/,
    )
    expect(creates()).toHaveLength(3)
    expect(deletes()).toEqual([])
  }, 30_000)
})

describe("inside a durable run", () => {
  let h: OrchestrationHarness
  let runtime: ManagedRuntime.ManagedRuntime<ExecutionAdapter, never>
  const handles = new Map<string, SandboxHandle>()

  const run = <A>(effect: Effect.Effect<A, unknown, ExecutionAdapter>) =>
    runtime.runPromise(
      effect.pipe(
        Effect.mapError((e) => (e instanceof Error ? e : new Error(String(e)))),
      ) as Effect.Effect<A, Error, ExecutionAdapter>,
    )
  const handle = (runId: string) => {
    const found = handles.get(runId)
    if (found === undefined) throw new Error(`no sandbox for ${runId}`)
    return found
  }

  /** RunSteps whose sandbox is a Daytona sandbox, held through the real adapter. */
  const daytonaSteps = (): RunSteps => {
    return {
      createSandbox: async (plan) => {
        const created = await run(
          Effect.flatMap(ExecutionAdapter, (a) =>
            a.create({ runId: plan.runId, profile: profile() }),
          ),
        )
        handles.set(plan.runId, created)
        return { sandboxId: created.id, runtimeSessionId: null }
      },
      checkout: async () => {},
      runAgent: async (plan) => {
        const result = await run(
          Effect.flatMap(ExecutionAdapter, (a) => a.exec(handle(plan.runId), ["npm", "test"])),
        )
        if (result.exitCode !== 0) throw new Error(`npm test exited with ${result.exitCode}`)
        return { kind: "completed" }
      },
      collectPatchSet: async () => ({ kind: "no-changes" }),
      destroySandbox: async (plan) => {
        const found = handles.get(plan.runId)
        if (found !== undefined)
          await run(Effect.flatMap(ExecutionAdapter, (a) => a.destroy(found)))
      },
      publish: async () => {},
    }
  }

  beforeAll(async () => {
    fake = await startFakeDaytona()
    runtime = ManagedRuntime.make(daytona())
    h = await startOrchestrationHarness(daytonaSteps())
  }, 60_000)
  afterAll(async () => {
    await h?.stop()
    await runtime?.dispose()
    await fake?.close()
  })
  beforeEach(() => {
    fake.requests.length = 0
    fake.createFailures = []
  })

  it("Daytona answering 500 to every create fails the run with the step and the HTTP status", async () => {
    fake.createFailures = Array.from({ length: 20 }, () => 500)
    const queued = await h.enqueue()
    const failed = await h.waitForState(queued.id, ["failed", "decided", "running"], 60_000)
    expect(failed.state).toBe("failed")
    // The step's last error is in the reason, after the workflow's own retries.
    expect(failed.reason).toMatch(/^create-sandbox failed: /)
    expect(failed.reason).toContain(
      `Daytona could not create a sandbox for run ${queued.id} (HTTP 500)`,
    )
    // Retried by the adapter and by the workflow step, then given up; nothing was created.
    expect(creates().length).toBeGreaterThan(3)
    expect(deletes()).toEqual([])
  }, 90_000)

  it("a sandbox that dies mid-command fails the run with Daytona's reason", async () => {
    fake.onExec = (script) =>
      script.includes("npm test")
        ? { status: 502, message: "sandbox container exited unexpectedly (OOMKilled)" }
        : { exitCode: 0, result: "" }
    const queued = await h.enqueue()
    const failed = await h.waitForState(queued.id, ["failed", "decided"], 60_000)
    expect(failed).toMatchObject({
      state: "failed",
      reason: expect.stringMatching(/^run-agent failed: .*Daytona: .*OOMKilled/),
    })
    // The broken sandbox is still deleted.
    const id = handles.get(queued.id)?.id
    await expect
      .poll(() => deletes().map((r) => r.path), { timeout: 15_000 })
      .toContain(`/api/sandbox/${String(id)}`)
  }, 90_000)
})
