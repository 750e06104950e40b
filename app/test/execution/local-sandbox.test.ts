// The bubblewrap sandbox on this machine: real processes, real namespaces.
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { readdir, readFile, rm, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { Effect, Fiber, type Scope } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ExecutionAdapter } from "../../src/execution/execution-adapter.ts"
import {
  ExecutionError,
  SandboxUnavailableError,
  WorkspacePathError,
} from "../../src/execution/execution-errors.ts"
import type { OutputChunk } from "../../src/execution/sandbox-types.ts"
import { failureOf, hostProcessesWith, openTempDir, profile, runIn, text } from "./helpers.ts"

let baseDir: string
let server: Server
let port: number

beforeAll(async () => {
  baseDir = await openTempDir("pp-local-")
  server = createServer((_req, res) => res.end("host-only"))
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  port = (server.address() as AddressInfo).port
})
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
  await rm(baseDir, { recursive: true, force: true })
})

const layer = () => ExecutionAdapter.layerLocal({ baseDir })
const run = <A, E>(effect: Effect.Effect<A, E, ExecutionAdapter | Scope.Scope>) =>
  runIn(layer())(effect)

/** Runs `command` in a fresh sandbox with the given profile overrides. */
const execIn = (
  command: ReadonlyArray<string>,
  overrides: Record<string, unknown> = {},
  options: Parameters<ExecutionAdapter["Service"]["exec"]>[2] = {},
) =>
  run(
    Effect.gen(function* () {
      const adapter = yield* ExecutionAdapter
      const sandbox = yield* ExecutionAdapter.scoped({
        runId: "run-1",
        profile: profile(overrides),
      })
      return yield* adapter.exec(sandbox, command, options)
    }),
  )

const sandboxes = (names: Array<string>) => names.filter((n) => n.startsWith("pp-sandbox-"))

const fetchScript = (url: string) =>
  `fetch(${JSON.stringify(url)}).then(async (r) => console.log("reached", await r.text()), (e) => console.log("blocked", e.cause?.code ?? e.message))`

describe("local sandbox (bubblewrap)", () => {
  it("runs a command in its own namespaces and streams stdout and stderr as they come", async () => {
    const chunks: Array<OutputChunk> = []
    const result = await execIn(
      ["sh", "-c", "echo out; echo err >&2; hostname; id -u; ls /; exit 3"],
      {},
      { onOutput: (chunk) => chunks.push(chunk) },
    )
    expect(result.exitCode).toBe(3)
    expect(result.stderr).toBe("err\n")
    const [first, hostname, uid, ...rootEntries] = result.stdout.trim().split("\n")
    expect(first).toBe("out")
    expect(hostname).toBe("sandbox")
    // Root of the control plane is not root in the sandbox: it runs as nobody.
    expect(uid).toBe(process.getuid?.() === 0 ? "65534" : String(process.getuid?.()))
    // Only what the sandbox binds exists: no /root, /work or host home.
    expect(rootEntries).toContain("workspace")
    expect(rootEntries).not.toContain("root")
    expect(rootEntries).not.toContain("work")
    expect(
      chunks
        .filter((c) => c.stream === "stderr")
        .map((c) => c.text)
        .join(""),
    ).toBe("err\n")
    expect(
      chunks
        .filter((c) => c.stream === "stdout")
        .map((c) => c.text)
        .join(""),
    ).toBe(result.stdout)
  }, 30_000)

  it("has no network by default: a fetch and curl to a host port on 127.0.0.1 fail inside", async () => {
    const url = `http://127.0.0.1:${port}/`
    // Control: the same request works from the host.
    expect(await (await fetch(url)).text()).toBe("host-only")
    const node = await execIn(["node", "-e", fetchScript(url)])
    expect(node.stdout).toMatch(/^blocked /)
    const curl = await execIn(["curl", "--silent", "--show-error", "--max-time", "3", url])
    expect(curl.exitCode).not.toBe(0)
    expect(curl.stdout).not.toContain("host-only")
    // The profile's "egress" policy is what opens it.
    const open = await execIn(["node", "-e", fetchScript(url)], { network: "egress" })
    expect(open.stdout.trim()).toBe("reached host-only")
  }, 30_000)

  it("inherits no environment: planted control-plane secrets are absent from env and /proc/1/environ", async () => {
    const planted = {
      PATCHPLANE_WEBHOOK_SECRET: "whsec-planted-0001",
      DATABASE_URL: "postgres://admin:planted-db-password@db:5432/pp",
      WORKOS_API_KEY: "sk_test_planted_workos_0003",
      PATCHPLANE_GITHUB_PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----planted0004",
    }
    const saved = { ...process.env }
    Object.assign(process.env, planted)
    try {
      const result = await execIn(
        [
          "sh",
          "-c",
          "env; echo ---; tr '\\0' '\\n' < /proc/1/environ; echo ---; tr '\\0' '\\n' < /proc/self/environ",
        ],
        {},
        { env: { RUN_SPECIFIC: "yes" } },
      )
      expect(result.exitCode).toBe(0)
      for (const value of Object.values(planted)) expect(result.stdout).not.toContain(value)
      for (const name of Object.keys(planted)) expect(result.stdout).not.toContain(`${name}=`)
      const names = new Set(
        result.stdout
          .split("\n")
          .filter((line) => line.includes("="))
          .map((line) => line.slice(0, line.indexOf("="))),
      )
      expect([...names].toSorted()).toEqual([
        "GIT_TERMINAL_PROMPT",
        "HOME",
        "LANG",
        "LC_ALL",
        "PATH",
        "PWD",
        "RUN_SPECIFIC",
        "TERM",
        "TMPDIR",
      ])
    } finally {
      process.env = saved
    }
  }, 30_000)

  it("kills a runaway command and everything it started at the wall-clock limit", async () => {
    const marker = "987654"
    const started = performance.now()
    const result = await execIn(
      ["sh", "-c", `sleep ${marker} & while :; do :; done`],
      {},
      { timeoutSeconds: 1 },
    )
    const elapsed = performance.now() - started
    expect(result.timedOut).toBe(true)
    expect(result.exitCode).toBeNull()
    expect(elapsed).toBeGreaterThanOrEqual(900)
    expect(elapsed).toBeLessThan(5000)
    expect(await hostProcessesWith(`sleep${"\0"}${marker}`)).toEqual([])
  }, 30_000)

  it("stops at the sandbox's own time limit even when a command asks for more", async () => {
    const result = await execIn(["sleep", "30"], { timeoutSeconds: 1 }, { timeoutSeconds: 60 })
    expect(result.timedOut).toBe(true)
    expect(result.durationMs).toBeLessThan(5000)
  }, 30_000)

  it("caps the number of processes", async () => {
    const result = await execIn(
      ["sh", "-c", "n=0; while [ $n -lt 64 ]; do sleep 20 & n=$((n+1)); echo $n; done"],
      { maxProcesses: 16 },
      { timeoutSeconds: 10 },
    )
    const started = result.stdout.trim().split("\n").length
    expect(started).toBeLessThan(16)
    expect(result.stderr).toMatch(/fork/i)
  }, 30_000)

  it("cancels a command through an AbortSignal and through fiber interruption", async () => {
    const abort = new AbortController()
    setTimeout(() => abort.abort(), 300)
    const cancelled = await execIn(["sleep", "30"], {}, { signal: abort.signal })
    expect(cancelled.cancelled).toBe(true)
    expect(cancelled.durationMs).toBeLessThan(3000)

    const marker = "876543"
    const started = performance.now()
    await run(
      Effect.gen(function* () {
        const adapter = yield* ExecutionAdapter
        const sandbox = yield* ExecutionAdapter.scoped({ runId: "run-2", profile: profile() })
        const fiber = yield* Effect.forkChild(adapter.exec(sandbox, ["sleep", marker]))
        yield* Effect.sleep("300 millis")
        yield* Fiber.interrupt(fiber)
      }),
    )
    expect(performance.now() - started).toBeLessThan(3000)
    expect(await hostProcessesWith(`sleep${"\0"}${marker}`)).toEqual([])
  }, 30_000)

  it("reads, writes, uploads and downloads files, and refuses paths outside the workspace", async () => {
    const hostFile = join(baseDir, "upload-me.txt")
    await writeFile(hostFile, "from the host\n")
    const secretDir = await openTempDir("pp-secret-")
    await writeFile(join(secretDir, "secret"), "host secret")
    const downloaded = join(baseDir, "out", "copy.txt")
    const outcome = await run(
      Effect.gen(function* () {
        const adapter = yield* ExecutionAdapter
        const sandbox = yield* ExecutionAdapter.scoped({ runId: "run-3", profile: profile() })
        yield* adapter.writeFile(sandbox, "notes/a.txt", "alpha")
        yield* adapter.upload(sandbox, [
          { path: "/workspace/notes/b.bin", content: new Uint8Array([0, 1, 2, 255]) },
          { path: "notes/c.txt", content: { hostPath: hostFile } },
        ])
        yield* adapter.download(sandbox, [{ path: "notes/c.txt", hostPath: downloaded }])
        const listed = yield* adapter.exec(sandbox, ["ls", "notes"])
        // A symlink planted in the workspace is followed inside the sandbox, where the host file does not exist.
        yield* adapter.exec(sandbox, ["ln", "-s", join(secretDir, "secret"), "leak"])
        const leak = yield* Effect.flip(adapter.readFile(sandbox, "leak"))
        const escapes = yield* Effect.forEach(
          ["../etc/passwd", "/etc/passwd", "notes/../../x", "a\0b"],
          (path) => Effect.flip(adapter.readFile(sandbox, path)),
        )
        const cwdEscape = yield* Effect.flip(adapter.exec(sandbox, ["true"], { cwd: "/" }))
        return {
          a: text(yield* adapter.readFile(sandbox, "notes/a.txt")),
          b: [...(yield* adapter.readFile(sandbox, "notes/b.bin"))],
          listed: listed.stdout,
          leak,
          escapes,
          cwdEscape,
        }
      }),
    )
    await rm(secretDir, { recursive: true, force: true })
    expect(outcome.a).toBe("alpha")
    expect(outcome.b).toEqual([0, 1, 2, 255])
    expect(outcome.listed.split("\n")).toEqual(["a.txt", "b.bin", "c.txt", ""])
    expect(await readFile(downloaded, "utf8")).toBe("from the host\n")
    expect(outcome.leak).toBeInstanceOf(ExecutionError)
    expect(outcome.leak.message).not.toContain("host secret")
    for (const error of outcome.escapes) expect(error).toBeInstanceOf(WorkspacePathError)
    expect(outcome.cwdEscape).toBeInstanceOf(WorkspacePathError)
  }, 30_000)

  it("destroy kills what runs, deletes the workspace, and refuses further use", async () => {
    const outcome = await run(
      Effect.gen(function* () {
        const adapter = yield* ExecutionAdapter
        const sandbox = yield* adapter.create({ runId: "run-4", profile: profile() })
        yield* adapter.writeFile(sandbox, "file.txt", "x")
        const before = yield* Effect.promise(() => readdir(baseDir))
        const fiber = yield* Effect.forkChild(adapter.exec(sandbox, ["sleep", "30"]))
        yield* Effect.sleep("200 millis")
        const started = performance.now()
        yield* adapter.destroy(sandbox)
        const destroyMs = performance.now() - started
        const running = yield* Fiber.join(fiber)
        const after = yield* Effect.promise(() => readdir(baseDir))
        const again = yield* Effect.flip(adapter.exec(sandbox, ["true"]))
        yield* adapter.destroy(sandbox)
        return { before, after, running, again, destroyMs }
      }),
    )
    expect(outcome.running.cancelled).toBe(true)
    expect(outcome.destroyMs).toBeLessThan(3000)
    expect(sandboxes(outcome.before)).toHaveLength(1)
    expect(sandboxes(outcome.after)).toHaveLength(0)
    expect(outcome.again.message).toMatch(/destroyed/)
  }, 30_000)

  it("refuses to start without bubblewrap and names the package to install", async () => {
    const missing = await failureOf(
      ExecutionAdapter.layerLocal({ baseDir, searchPath: "/nonexistent" }),
    )(
      Effect.gen(function* () {
        const adapter = yield* ExecutionAdapter
        return yield* adapter.create({ runId: "run-5", profile: profile() })
      }),
    )
    expect(missing).toBeInstanceOf(SandboxUnavailableError)
    expect(missing.message).toContain("bubblewrap")
    expect(missing.message).toContain("apt-get install bubblewrap")
    const explicit = await failureOf(
      ExecutionAdapter.layerLocal({ baseDir, bwrapPath: "/nonexistent/bwrap" }),
    )(
      Effect.gen(function* () {
        const adapter = yield* ExecutionAdapter
        return yield* adapter.create({ runId: "run-6", profile: profile() })
      }),
    )
    expect(explicit.message).toContain("/nonexistent/bwrap")
    // Nothing was created on the way.
    expect(sandboxes(await readdir(baseDir))).toEqual([])
  }, 30_000)

  it("costs a few tens of milliseconds per command", async () => {
    const timings = await run(
      Effect.gen(function* () {
        const adapter = yield* ExecutionAdapter
        const sandbox = yield* ExecutionAdapter.scoped({ runId: "run-7", profile: profile() })
        const times: Array<number> = []
        for (let i = 0; i < 10; i++) times.push((yield* adapter.exec(sandbox, ["true"])).durationMs)
        return times.toSorted((a, b) => a - b)
      }),
    )
    const median = timings[5] ?? Number.NaN
    console.info(`local sandbox: median exec overhead ${median} ms (bwrap + prlimit + true)`)
    expect(median).toBeLessThan(500)
  }, 30_000)
})
