// The Daytona backend against a loopback fake of the Daytona HTTP API.
import { readFile, rm, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { Effect, Fiber, Layer, Redacted } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { checkoutRepository } from "../../src/execution/checkout.ts"
import { ExecutionAdapter } from "../../src/execution/execution-adapter.ts"
import { ExecutionError, WorkspacePathError } from "../../src/execution/execution-errors.ts"
import type { OutputChunk } from "../../src/execution/sandbox-types.ts"
import { testInstallationBrokerLayer } from "../support/test-installation-broker.ts"
import { type FakeDaytona, startFakeDaytona } from "./fake-daytona.ts"
import { failureOf, openTempDir, profile, runIn, text } from "./helpers.ts"

let fake: FakeDaytona
let hostDir: string

beforeEach(async () => {
  fake = await startFakeDaytona()
  hostDir = await openTempDir("pp-daytona-")
})
afterEach(async () => {
  await fake.close()
  await rm(hostDir, { recursive: true, force: true })
})

const layer = (extra: { networkAllowList?: Array<string>; createAttempts?: number } = {}) =>
  ExecutionAdapter.layerDaytona({
    apiUrl: fake.apiUrl,
    apiKey: Redacted.make("dtn_test_key"),
    target: "eu",
    retryDelay: "10 millis",
    ...extra,
  })

const paths = (method: string) =>
  fake.requests.filter((r) => r.method === method).map((r) => r.path)
const creates = () => fake.requests.filter((r) => r.method === "POST" && r.path === "/api/sandbox")
const deletes = () => paths("DELETE").filter((p) => p.startsWith("/api/sandbox/"))

describe("Daytona sandbox", () => {
  it("creates, runs commands, moves files, clones and deletes through the Daytona API", async () => {
    fake.onExec = (script) =>
      script.includes("rev-parse")
        ? { exitCode: 0, result: "0123456789abcdef0123456789abcdef01234567\n" }
        : script.includes("exit-two")
          ? { exitCode: 2, result: "boom\n" }
          : script.includes("mkdir")
            ? { exitCode: 0, result: "" }
            : { exitCode: 0, result: "hi there\n" }
    await writeFile(join(hostDir, "host.txt"), "from host")
    const calls: Array<unknown> = []
    const chunks: Array<OutputChunk> = []
    // Secrets of the control plane, present in its environment while the sandbox is made.
    const saved = { ...process.env }
    Object.assign(process.env, {
      PATCHPLANE_WEBHOOK_SECRET: "whsec-planted",
      DATABASE_URL: "postgres://u:planted@db/pp",
      WORKOS_API_KEY: "sk_planted",
      DAYTONA_API_KEY: "dtn_env_key_must_not_be_used",
    })
    const outcome = await runIn(
      Layer.mergeAll(
        layer({ networkAllowList: ["140.82.112.0/20", "10.1.2.3/32"] }),
        testInstallationBrokerLayer({
          calls: calls as never,
          token: () => "ghs_daytona_token",
        }),
      ),
    )(
      Effect.gen(function* () {
        const adapter = yield* ExecutionAdapter
        const sandbox = yield* ExecutionAdapter.scoped({
          runId: "run-d1",
          profile: profile({
            image: "node:24-bookworm",
            cpu: 2,
            memoryMb: 3000,
            diskGb: 10,
            timeoutSeconds: 1800,
          }),
          env: { PATCHPLANE_RUN: "run-d1" },
          labels: { repo: "octo-demo" },
        })
        const hello = yield* adapter.exec(sandbox, ["echo", "hi there"], {
          env: { GREETING: "it's me" },
          onOutput: (chunk) => chunks.push(chunk),
        })
        const failed = yield* adapter.exec(sandbox, ["sh", "-c", "exit-two"], { cwd: "sub" })
        yield* adapter.writeFile(sandbox, "notes/a.txt", "alpha")
        yield* adapter.upload(sandbox, [
          { path: "notes/b.txt", content: { hostPath: join(hostDir, "host.txt") } },
        ])
        const a = text(yield* adapter.readFile(sandbox, "notes/a.txt"))
        yield* adapter.download(sandbox, [
          { path: "notes/b.txt", hostPath: join(hostDir, "copy.txt") },
        ])
        const missing = yield* Effect.flip(adapter.readFile(sandbox, "nope.txt"))
        const before = fake.requests.length
        const escape = yield* Effect.flip(adapter.readFile(sandbox, "../../etc/passwd"))
        const requestsForEscape = fake.requests.length - before
        const checkout = yield* checkoutRepository(sandbox, {
          runId: "run-d1",
          installationId: 5,
          repository: "octo/demo",
        })
        return { sandbox, hello, failed, a, missing, escape, requestsForEscape, checkout }
      }),
    ).finally(() => {
      process.env = saved
    })
    // Create: resources, lifetimes, labels, network policy, explicit target.
    const [create] = creates()
    expect(create?.authorization).toBe("Bearer dtn_test_key")
    expect(create?.body).toMatchObject({
      cpu: 2,
      memory: 3,
      disk: 10,
      autoStopInterval: 30,
      autoDeleteInterval: 0,
      ttlMinutes: 35,
      target: "eu",
      networkBlockAll: false,
      networkAllowList: "140.82.112.0/20,10.1.2.3/32",
      labels: { repo: "octo-demo", "patchplane-run": "run-d1" },
      buildInfo: { dockerfileContent: expect.stringContaining("FROM node:24-bookworm") },
    })
    // The sandbox gets exactly the run's environment, nothing of ours.
    expect(create?.body).toHaveProperty("env", { PATCHPLANE_RUN: "run-d1" })
    expect(outcome.sandbox).toMatchObject({
      backend: "daytona",
      workspaceRoot: "/home/daytona/workspace",
      runId: "run-d1",
    })
    expect(outcome.sandbox.id).toMatch(/^sbx-/)
    // Commands: argv, cwd and env reach the toolbox intact.
    expect(fake.scripts[0]).toBe("mkdir -p /home/daytona/workspace")
    expect(fake.scripts[1]).toBe(
      "cd -- /home/daytona/workspace || exit 126\nexport GREETING='it'\"'\"'s me'\nexec echo 'hi there' </dev/null",
    )
    expect(fake.scripts[2]).toContain("cd -- /home/daytona/workspace/sub")
    expect(outcome.hello).toMatchObject({
      exitCode: 0,
      stdout: "hi there\n",
      timedOut: false,
      cancelled: false,
    })
    expect(chunks).toEqual([{ stream: "stdout", text: "hi there\n" }])
    expect(outcome.failed).toMatchObject({ exitCode: 2, stdout: "boom\n" })
    // Files.
    expect(outcome.a).toBe("alpha")
    expect(fake.files.get("/home/daytona/workspace/notes/b.txt")?.toString()).toBe("from host")
    expect(await readFile(join(hostDir, "copy.txt"), "utf8")).toBe("from host")
    expect(outcome.missing).toBeInstanceOf(ExecutionError)
    expect(outcome.escape).toBeInstanceOf(WorkspacePathError)
    expect(outcome.requestsForEscape).toBe(0)
    // Checkout: Daytona's git clone with the minted token, nothing in .git/config.
    const clone = fake.requests.find((r) => r.path.endsWith("/git/clone"))
    expect(clone?.body).toMatchObject({
      url: "https://github.com/octo/demo.git",
      path: "/home/daytona/workspace/repo",
      username: "x-access-token",
      password: "ghs_daytona_token",
    })
    expect(outcome.checkout).toEqual({
      path: "/home/daytona/workspace/repo",
      baseSha: "0123456789abcdef0123456789abcdef01234567",
      branch: "patchplane/run-d1",
    })
    expect(calls).toEqual([
      { installationId: 5, repository: "octo/demo", permissions: { contents: "read" } },
    ])
    // Delete when the scope closes, once; only the endpoints the fake knows were used.
    expect(deletes()).toEqual([`/api/sandbox/${outcome.sandbox.id}`])
    expect(
      fake.requests.filter((r) =>
        (r.body as { message?: string } | null)?.message?.startsWith("no fake"),
      ),
    ).toEqual([])
    for (const request of fake.requests) expect(request.authorization).toBe("Bearer dtn_test_key")
  }, 30_000)

  it("blocks all network without an allow-list and uses a snapshot's own resources", async () => {
    await runIn(layer())(
      Effect.gen(function* () {
        yield* ExecutionAdapter.scoped({
          runId: "run-d2",
          profile: profile({ snapshot: "patchplane-pi" }),
        })
      }),
    )
    const body = creates()[0]?.body as Record<string, unknown>
    expect(body).toMatchObject({ snapshot: "patchplane-pi", networkBlockAll: true })
    expect(body.networkAllowList).toBeUndefined()
    expect(body.cpu).toBeUndefined()
    expect(body.buildInfo).toBeUndefined()
  }, 30_000)

  it("retries a 5xx on create, then fails clearly when Daytona keeps failing", async () => {
    fake.createFailures = [503, 502]
    const sandbox = await runIn(layer())(
      Effect.gen(function* () {
        return yield* ExecutionAdapter.scoped({ runId: "run-d3", profile: profile() })
      }),
    )
    expect(creates()).toHaveLength(3)
    expect(deletes()).toEqual([`/api/sandbox/${sandbox.id}`])

    fake.requests.length = 0
    fake.createFailures = [503, 503, 503, 503]
    const error = await failureOf(layer({ createAttempts: 3 }))(
      Effect.gen(function* () {
        return yield* ExecutionAdapter.scoped({ runId: "run-d4", profile: profile() })
      }),
    )
    expect(creates()).toHaveLength(3)
    expect(error).toBeInstanceOf(ExecutionError)
    expect(error.message).toContain("Daytona could not create a sandbox for run run-d4 (HTTP 503)")
    expect(deletes()).toEqual([])

    fake.requests.length = 0
    fake.createFailures = [400]
    const refused = await failureOf(layer())(
      Effect.gen(function* () {
        return yield* ExecutionAdapter.scoped({ runId: "run-d5", profile: profile() })
      }),
    )
    expect(creates()).toHaveLength(1)
    expect(refused.message).toContain("HTTP 400")
  }, 30_000)

  it("deletes the sandbox when a run is cancelled mid-command", async () => {
    fake.onExec = (script) =>
      script.includes("sleep") ? { hang: true } : { exitCode: 0, result: "" }
    const started = performance.now()
    const id = await runIn(layer())(
      Effect.gen(function* () {
        const adapter = yield* ExecutionAdapter
        const handles: Array<string> = []
        const fiber = yield* Effect.forkChild(
          Effect.scoped(
            Effect.gen(function* () {
              const sandbox = yield* ExecutionAdapter.scoped({
                runId: "run-d6",
                profile: profile(),
              })
              handles.push(sandbox.id)
              return yield* adapter.exec(sandbox, ["sleep", "600"])
            }),
          ),
        )
        yield* Effect.promise(() => fake.waitForExec("sleep"))
        yield* Fiber.interrupt(fiber)
        return handles[0] ?? "none"
      }),
    )
    expect(performance.now() - started).toBeLessThan(5000)
    expect(deletes()).toEqual([`/api/sandbox/${id}`])
  }, 30_000)

  it("deletes a sandbox whose creation was cancelled, once Daytona has made it", async () => {
    fake.createDelayMs = 400
    // Held by a scope: acquisition finishes, then the scope deletes it.
    await runIn(layer())(
      Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(
          Effect.scoped(ExecutionAdapter.scoped({ runId: "run-d9", profile: profile() })),
        )
        yield* Effect.sleep("100 millis")
        yield* Fiber.interrupt(fiber)
      }),
    )
    expect(creates()).toHaveLength(1)
    expect(deletes()).toHaveLength(1)
    // A bare create, interrupted: the late sandbox is deleted when it arrives.
    await runIn(layer())(
      Effect.gen(function* () {
        const adapter = yield* ExecutionAdapter
        const fiber = yield* Effect.forkChild(
          adapter.create({ runId: "run-d10", profile: profile() }),
        )
        yield* Effect.sleep("100 millis")
        yield* Fiber.interrupt(fiber)
      }),
    )
    expect(creates()).toHaveLength(2)
    expect(deletes()).toHaveLength(1)
    await new Promise((resolve) => setTimeout(resolve, 700))
    expect(deletes()).toHaveLength(2)
  }, 30_000)

  it("an aborted command reports cancelled and takes its sandbox with it; a timeout reports timedOut", async () => {
    fake.onExec = (script) =>
      script.includes("sleep")
        ? { hang: true }
        : script.includes("slow")
          ? { status: 408, message: "Command execution timed out after 5 seconds." }
          : { exitCode: 0, result: "" }
    const outcome = await runIn(layer())(
      Effect.gen(function* () {
        const adapter = yield* ExecutionAdapter
        const timed = yield* ExecutionAdapter.scoped({ runId: "run-d7", profile: profile() })
        const slow = yield* adapter.exec(timed, ["slow"], { timeoutSeconds: 5 })
        const sandbox = yield* ExecutionAdapter.scoped({ runId: "run-d8", profile: profile() })
        const abort = new AbortController()
        setTimeout(() => abort.abort(), 200)
        const cancelled = yield* adapter.exec(sandbox, ["sleep", "600"], { signal: abort.signal })
        const deletedEarly = deletes()
        const after = yield* Effect.flip(adapter.exec(sandbox, ["true"]))
        return { slow, cancelled, deletedEarly, after, sandbox, timed }
      }),
    )
    expect(outcome.slow).toMatchObject({ timedOut: true, exitCode: null })
    expect(fake.requests.some((r) => (r.body as { timeout?: number } | null)?.timeout === 5)).toBe(
      true,
    )
    expect(outcome.cancelled).toMatchObject({ cancelled: true, exitCode: null })
    expect(outcome.deletedEarly).toEqual([`/api/sandbox/${outcome.sandbox.id}`])
    expect(outcome.after.message).toMatch(/destroyed/)
    expect(deletes()).toEqual([
      `/api/sandbox/${outcome.sandbox.id}`,
      `/api/sandbox/${outcome.timed.id}`,
    ])
  }, 30_000)
})
