// The execution layer's interactive processes (ExecutionAdapter.spawn), which
// the Pi runtime is built on: real bubblewrap, real pipes.
import { chmod, mkdir, readFile, rm, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { Effect, type Scope, Stream } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ExecutionAdapter } from "../../src/execution/execution-adapter.ts"
import { hostProcessesWith, openTempDir, profile, runIn } from "../execution/helpers.ts"

let baseDir: string
beforeAll(async () => {
  baseDir = await openTempDir("pp-spawn-")
})
afterAll(() => rm(baseDir, { recursive: true, force: true }))

const run = <A, E>(effect: Effect.Effect<A, E, ExecutionAdapter | Scope.Scope>) =>
  runIn(ExecutionAdapter.layerLocal({ baseDir }))(effect)

const echoScript = [
  "process.stdin.setEncoding('utf8')",
  "let buffered = ''",
  "process.stdin.on('data', (chunk) => {",
  "  buffered += chunk",
  "  let i",
  "  while ((i = buffered.indexOf('\\n')) >= 0) {",
  "    const line = buffered.slice(0, i); buffered = buffered.slice(i + 1)",
  "    process.stdout.write(JSON.stringify({ echo: JSON.parse(line) }) + '\\n')",
  "  }",
  "})",
  "process.stdin.on('end', () => { process.stderr.write('bye\\n'); process.exit(0) })",
].join("\n")

describe("ExecutionAdapter.spawn (local sandbox)", () => {
  it("talks JSON lines over stdin/stdout; U+2028 does not split a line; closing stdin ends it", async () => {
    const result = await run(
      Effect.gen(function* () {
        const execution = yield* ExecutionAdapter
        const sandbox = yield* ExecutionAdapter.scoped({ runId: "spawn-1", profile: profile() })
        const proc = yield* execution.spawn(sandbox, ["node", "-e", echoScript])
        const tricky = "line\u2028separator\u2029paragraph"
        yield* proc.write(`${JSON.stringify({ n: 1, text: tricky })}\n`)
        yield* proc.write(`${JSON.stringify({ n: 2 })}\n`)
        yield* proc.closeStdin
        const lines = yield* Stream.runCollect(proc.lines)
        const exit = yield* proc.exit
        return { lines: [...lines], exit, stderr: proc.stderrTail(), tricky }
      }),
    )
    expect(result.lines.map((line) => JSON.parse(line))).toEqual([
      { echo: { n: 1, text: result.tricky } },
      { echo: { n: 2 } },
    ])
    expect(result.exit).toEqual({ exitCode: 0, signal: null, timedOut: false, killed: false })
    expect(result.stderr).toBe("bye\n")
  }, 30_000)

  it("kill and the scope closing stop the process and everything it started", async () => {
    const killed = await run(
      Effect.gen(function* () {
        const execution = yield* ExecutionAdapter
        const sandbox = yield* ExecutionAdapter.scoped({ runId: "spawn-2", profile: profile() })
        const proc = yield* execution.spawn(sandbox, ["sh", "-c", "sleep 7531 & echo up; wait"])
        yield* Stream.runHead(proc.lines)
        const started = performance.now()
        yield* proc.kill
        const exit = yield* proc.exit
        return { exit, ms: performance.now() - started }
      }),
    )
    expect(killed.exit).toMatchObject({ exitCode: null, killed: true })
    expect(killed.ms).toBeLessThan(2000)
    expect(await hostProcessesWith(`sleep${"\0"}7531`)).toEqual([])

    await run(
      Effect.gen(function* () {
        const execution = yield* ExecutionAdapter
        const sandbox = yield* ExecutionAdapter.scoped({ runId: "spawn-3", profile: profile() })
        const proc = yield* execution.spawn(sandbox, ["sh", "-c", "sleep 7532 & echo up; wait"])
        yield* Stream.runHead(proc.lines)
      }),
    )
    expect(await hostProcessesWith(`sleep${"\0"}7532`)).toEqual([])
  }, 30_000)

  it("stops at its time limit", async () => {
    const exit = await run(
      Effect.gen(function* () {
        const execution = yield* ExecutionAdapter
        const sandbox = yield* ExecutionAdapter.scoped({ runId: "spawn-4", profile: profile() })
        const proc = yield* execution.spawn(sandbox, ["sleep", "30"], { timeoutSeconds: 1 })
        return yield* proc.exit
      }),
    )
    expect(exit).toMatchObject({ exitCode: null, timedOut: true })
  }, 30_000)

  it("binds host paths for this process only, read-only unless asked", async () => {
    const shared = join(baseDir, "shared")
    await mkdir(shared, { recursive: true, mode: 0o777 })
    await writeFile(join(shared, "note.txt"), "from the host\n", { mode: 0o644 })
    const writable = join(baseDir, "writable")
    await mkdir(writable)
    // The sandbox runs as another uid when the tests run as root.
    await chmod(writable, 0o777)
    const output = await run(
      Effect.gen(function* () {
        const execution = yield* ExecutionAdapter
        const sandbox = yield* ExecutionAdapter.scoped({ runId: "spawn-5", profile: profile() })
        const proc = yield* execution.spawn(
          sandbox,
          [
            "sh",
            "-c",
            "cat /mnt/ro/note.txt; touch /mnt/ro/x 2>/dev/null && echo ro-writable || echo ro-refused; echo hi > /mnt/rw/out.txt && echo rw-ok",
          ],
          {
            binds: [
              { hostPath: shared, sandboxPath: "/mnt/ro" },
              { hostPath: writable, sandboxPath: "/mnt/rw", readOnly: false },
            ],
          },
        )
        const lines = yield* Stream.runCollect(proc.lines)
        // A plain exec in the same sandbox does not see the binds.
        const plain = yield* execution.exec(sandbox, ["ls", "/mnt"])
        return { lines: [...lines], plain }
      }),
    )
    expect(output.lines).toEqual(["from the host", "ro-refused", "rw-ok"])
    expect(await readFile(join(writable, "out.txt"), "utf8")).toBe("hi\n")
    expect(output.plain.stdout).toBe("")
  }, 30_000)
})
