// Reviewer processes: output kept to its tail, a timeout kills the whole
// process group (grandchildren too), and a straggler left in the background
// neither holds the review up nor survives it.
import { readFile } from "node:fs/promises"
import { describe, expect, it } from "vitest"
import { runCommand } from "../src/process.ts"

const env = { PATH: process.env.PATH ?? "/usr/bin:/bin" }

/** Running, not a zombie waiting for a reaper (containers' PID 1 may not reap). */
const alive = async (pid: number) => {
  await new Promise((resolve) => setTimeout(resolve, 100))
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8")
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z"
  } catch {
    return false
  }
}

describe("runCommand", () => {
  it("captures exit code and output, keeping the tail when it is long", async () => {
    const result = await runCommand("printf 'a%.0s' $(seq 1 5000); echo; echo done >&2; exit 3", {
      cwd: "/",
      env,
      maxOutputBytes: 1000,
    })
    expect(result.exitCode).toBe(3)
    expect(result.stderr).toBe("done\n")
    expect(result.stdout.startsWith("[…output truncated…]")).toBe(true)
    expect(result.stdout.length).toBeLessThan(1100)
  })

  it("kills the process group when the signal fires", async () => {
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 200)
    const started = performance.now()
    const result = await runCommand("sleep 30 & echo $! ; wait", {
      cwd: "/",
      env,
      signal: controller.signal,
    })
    expect(result.aborted).toBe(true)
    expect(performance.now() - started).toBeLessThan(3_000)
    const grandchild = Number(result.stdout.trim())
    expect(grandchild).toBeGreaterThan(0)
    expect(await alive(grandchild)).toBe(false)
  })

  it("returns when the command exits even if a background process keeps its pipes", async () => {
    const started = performance.now()
    const result = await runCommand("sleep 30 & echo $!", { cwd: "/", env })
    expect(result.exitCode).toBe(0)
    expect(performance.now() - started).toBeLessThan(3_000)
    expect(await alive(Number(result.stdout.trim()))).toBe(false)
  })
})
