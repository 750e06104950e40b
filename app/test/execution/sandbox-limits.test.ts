// Sandbox-wide totals on the local backend (real bwrap): rlimits bind one
// process each, so three processes under `memoryMb` each can still exceed it
// together; the sandbox's watcher sums them and stops the whole sandbox with
// the reason. A fork bomb is stopped by its limit or its timeout, and nothing
// of either outlives the stop.
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { ExecutionAdapter } from "../../src/execution/execution-adapter.ts"
import { failureOf, hostProcessesWith, profile, runIn } from "./helpers.ts"

const layer = ExecutionAdapter.layerLocal()

const gone = async (marker: string) => {
  for (let i = 0; i < 50 && (await hostProcessesWith(marker)).length > 0; i++)
    await new Promise((resolve) => setTimeout(resolve, 100))
  return hostProcessesWith(marker)
}

describe("sandbox-wide limits", () => {
  it("stops a sandbox whose processes together exceed memoryMb, naming the limit, and keeps it stopped", async () => {
    const marker = `pp-mem-${Date.now()}`
    // Three processes of ~120 MiB each: each under its own 300 MiB rlimit, 360 MiB together.
    const hog = `python3 -c "import time; b = b'x' * (120 * 1024 * 1024); time.sleep(60)" ${marker}`
    const started = Date.now()
    const outcome = (await failureOf(layer)(
      Effect.gen(function* () {
        const adapter = yield* ExecutionAdapter
        const sandbox = yield* ExecutionAdapter.scoped({
          runId: "run-mem",
          profile: profile({ memoryMb: 300 }),
        })
        const failed = yield* Effect.flip(
          adapter.exec(sandbox, ["sh", "-c", `for i in 1 2 3; do ${hog} & done; wait`], {
            timeoutSeconds: 60,
          }),
        )
        const later = yield* Effect.flip(adapter.exec(sandbox, ["true"]))
        return yield* Effect.fail({ failed, later })
      }),
    )) as { failed: Error; later: Error }
    expect(Date.now() - started).toBeLessThan(30_000)
    expect(outcome.failed.message).toMatch(
      /^the sandbox was stopped: sandbox exceeded its memory limit: \d+ MiB of 300 MiB across \d+ processes$/,
    )
    expect(outcome.later.message).toContain("sandbox exceeded its memory limit")
    expect(await gone(marker)).toEqual([])
  }, 60_000)

  it("stops a fork bomb at the process limit; none of it outlives the sandbox's stop or timeout", async () => {
    const marker = `pp-bomb-${Date.now()}`
    const started = Date.now()
    const failure = (await failureOf(layer)(
      Effect.gen(function* () {
        const adapter = yield* ExecutionAdapter
        const sandbox = yield* ExecutionAdapter.scoped({
          runId: "run-bomb",
          profile: profile({ maxProcesses: 64 }),
        })
        const result = yield* adapter.exec(
          sandbox,
          ["sh", "-c", `bomb() { bomb | bomb & }; bomb; sleep 100 # ${marker}`],
          { timeoutSeconds: 15 },
        )
        return yield* Effect.fail({ message: `exec returned: timedOut=${result.timedOut}` })
      }),
    )) as { message: string }
    expect(Date.now() - started).toBeLessThan(20_000)
    // RLIMIT_NPROC makes the bomb churn around the limit: the watcher stops the
    // sandbox when it catches it there, else the command's timeout does.
    expect(failure.message).toMatch(
      /^the sandbox was stopped: sandbox reached its process limit: \d+ processes of 64$|^exec returned: timedOut=true$/,
    )
    expect(await gone(marker)).toEqual([])
  }, 60_000)

  it("shows no host path to ps inside the sandbox, and caps its /tmp at memoryMb", async () => {
    const seen = await runIn(layer)(
      Effect.gen(function* () {
        const adapter = yield* ExecutionAdapter
        const sandbox = yield* ExecutionAdapter.scoped({
          runId: "run-ps",
          profile: profile({ memoryMb: 200 }),
        })
        return yield* adapter.exec(sandbox, [
          "sh",
          "-c",
          "ps -eo pid,args; for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline; echo; done; df -k /tmp",
        ])
      }),
    )
    expect(seen.exitCode).toBe(0)
    // Controls: ps ran and saw the sandbox's pid 1 (bwrap) and itself.
    expect(seen.stdout).toMatch(/^\s+1 \/usr\/bin\/bwrap --args 3 -- /m)
    expect(seen.stdout).toContain("ps -eo pid,args")
    for (const hostPath of ["pp-sandbox-", "--bind", "--ro-bind", "/etc/passwd", "--setenv"])
      expect(seen.stdout).not.toContain(hostPath)
    expect(seen.stdout).toMatch(/tmpfs\s+204800\s/)
  }, 30_000)
})
