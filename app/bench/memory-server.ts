// PatchPlane under the memory benchmark, in its own process (the roles given,
// web and worker by default) with scripted steps: each run's agent streams a RuntimeEvent every
// `eventEveryMs` until the bench sends "release". Over IPC it answers
// "memory" with this process's own process.memoryUsage().
import type { RunSteps } from "../src/orchestration/run-steps.ts"
import { installModuleFormatHook } from "../src/platform/module-format-hook.ts"
import type { Role, RunningPatchPlane } from "../src/main/start.ts"

// As `npm start` loads PatchPlane (src/main.ts).
installModuleFormatHook()
const { startPatchPlane } = await import("../src/main/start.ts")
const { appendRuntimeEvents } = await import("@patchplane/db")

const [cwd, databaseUrl, eventEvery, roleList] = process.argv.slice(2)
const roles = (roleList ?? "web,worker").split(",") as Role[]
const eventEveryMs = Number(eventEvery ?? 1000)

let app: RunningPatchPlane | undefined
const hold = { released: false }
const waiting = new Set<() => void>()
let agents = 0

const steps: RunSteps = {
  createSandbox: async (plan) => ({ sandboxId: `bench-${plan.runId}`, runtimeSessionId: null }),
  checkout: async () => {},
  runAgent: async (plan, _sandbox, control) => {
    agents += 1
    try {
      for (let n = 0; !hold.released && !control.signal.aborted; n++) {
        const db = app?.database.db
        if (db !== undefined)
          await appendRuntimeEvents(db, plan.runId, [
            {
              kind: "message",
              payload: {
                kind: "message",
                role: "assistant",
                text: `step ${n} of the agent's work`,
              },
            },
          ])
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(timer)
            waiting.delete(wake)
            resolve()
          }
          const timer = setTimeout(wake, eventEveryMs)
          waiting.add(wake)
        })
      }
      return { kind: "completed" }
    } finally {
      agents -= 1
    }
  },
  collectPatchSet: async () => ({ kind: "no-changes" }),
  destroySandbox: async () => {},
  publish: async () => {},
}

process.on("message", (message: { type: string }) => {
  if (message.type === "memory")
    process.send?.({ type: "memory", usage: process.memoryUsage(), agents })
  if (message.type === "release") {
    hold.released = true
    for (const wake of waiting) wake()
  }
})

app = await startPatchPlane({
  cwd: cwd ?? ".",
  env: { DATABASE_URL: databaseUrl ?? "" },
  steps,
  roles,
})
console.log(JSON.stringify({ url: (app.url ?? "").replace("localhost", "127.0.0.1") }))
const stop = () => void app?.stop().then(() => process.exit(0))
process.on("SIGTERM", stop)
// The bench went away without stopping us: do not linger.
process.on("disconnect", stop)
