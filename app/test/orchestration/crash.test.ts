// Crash safety across real processes. A worker killed with kill -9 mid-step
// and restarted resumes the run at that step (completed steps are not
// re-executed); of two workers, one killed for good hands its runs over.
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { listWorkflowRuns } from "@patchplane/db"
import { createTestDatabase, type TestDatabase } from "@patchplane/db/testing"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { seed, waitForState, writeConfig } from "./harness.ts"
import { createStepLog, readStepLog } from "./scripted-steps.ts"

let db: TestDatabase
let dir: string
const children: ChildProcess[] = []

beforeAll(async () => {
  db = await createTestDatabase("crash")
  await createStepLog(db.db)
  dir = await mkdtemp(join(tmpdir(), "pp-crash-"))
  await writeConfig(dir, { orchestration: { globalConcurrency: 30, perRepositoryConcurrency: 2 } })
}, 60_000)
afterEach(async () => {
  // A failed test must not leave a worker behind to pick up the next test's runs.
  for (const child of children.splice(0)) await kill9(child)
})
afterAll(async () => {
  await db?.drop()
  await rm(dir, { recursive: true, force: true })
})

const startProcess = (executorId: string, roles: string, agentMs: number) =>
  new Promise<{ child: ChildProcess; url: string | null; token: string | null }>(
    (resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          join(import.meta.dirname, "worker-process.ts"),
          dir,
          db.url,
          executorId,
          roles,
          String(agentMs),
        ],
        { stdio: ["ignore", "pipe", "inherit"] },
      )
      children.push(child)
      let out = ""
      child.stdout?.on("data", (chunk: Buffer) => {
        out += chunk.toString()
        const line = out.split("\n").find((l) => l.startsWith('{"ready"'))
        if (line) {
          const ready = JSON.parse(line) as { url: string | null; token: string | null }
          resolve({ child, url: ready.url, token: ready.token })
        }
      })
      child.once("exit", (code) => reject(new Error(`${executorId} exited with ${code}`)))
    },
  )

const kill9 = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once("exit", () => resolve())
    child.kill("SIGKILL")
  })

/** Starts a run as the local operator of the web process `web`. */
const startRun = async (
  web: { readonly url: string | null; readonly token: string | null },
  repo: string,
) => {
  await seed(db.db, { repo })
  const res = await fetch(`${web.url ?? ""}/api/prompts`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${web.token ?? ""}` },
    body: JSON.stringify({ repository: repo, prompt: "fix it" }),
  })
  expect(res.status).toBe(201)
  return ((await res.json()) as { runId: string }).runId
}

const count = (log: Array<{ step: string }>, step: string) =>
  log.filter((l) => l.step === step).length

/** The step a log line belongs to (the agent logs its start and its end). */
const stepOf = (line: string) => (line.startsWith("agent-") ? "run-agent" : line)

describe("a worker killed with kill -9", () => {
  it("resumes the run at the step it was in when restarted", async () => {
    const first = await startProcess("crash-a", "web,worker", 60_000)
    const runId = await startRun(first, "acme/crash-one")
    await expect
      .poll(async () => count(await readStepLog(db.db, runId), "agent-start"), { timeout: 15_000 })
      .toBe(1)
    await kill9(first.child)

    const second = await startProcess("crash-a", "web,worker", 50)
    await waitForState(db.db, runId, ["reviewing"], 20_000)
    await expect
      .poll(async () => count(await readStepLog(db.db, runId), "publish"), { timeout: 10_000 })
      .toBe(1)
    await kill9(second.child)
    const log = await readStepLog(db.db, runId)
    expect(log.map((l) => l.step)).toEqual([
      "create-sandbox",
      "checkout",
      "agent-start", // cut off by kill -9
      "agent-start", // the interrupted step runs again…
      "agent-done",
      "collect",
      "destroy-sandbox",
      "publish",
    ])
    // …but the steps that had completed were not re-executed.
    expect(new Set(log.slice(0, 3).map((l) => l.pid)).size).toBe(1)
    expect(new Set(log.slice(3).map((l) => l.pid))).toEqual(new Set([second.child.pid]))
  }, 60_000)
})

describe("two workers", () => {
  it("execute 20 runs, and one dying for good hands its runs to the other, repeating no completed step", async () => {
    const [web, one, two] = await Promise.all([
      startProcess("crash-web", "web", 50),
      startProcess("crash-w1", "worker", 1_500),
      startProcess("crash-w2", "worker", 1_500),
    ])
    const runs: string[] = []
    for (let i = 0; i < 20; i++) runs.push(await startRun(web, `acme/fleet-${i}`))
    // Wait until both workers are busy, then kill one for good.
    await expect
      .poll(
        async () => {
          const pids = new Set<number>()
          for (const runId of runs)
            for (const l of await readStepLog(db.db, runId))
              if (l.step === "agent-start") pids.add(l.pid)
          return pids.size
        },
        { timeout: 15_000 },
      )
      .toBe(2)
    await kill9(one.child)

    for (const runId of runs) {
      await waitForState(db.db, runId, ["reviewing"], 30_000)
      await expect
        .poll(async () => count(await readStepLog(db.db, runId), "publish"), { timeout: 10_000 })
        .toBe(1)
    }
    // A step's side effects can happen before its checkpoint is written, so
    // the one step in flight when a worker died may run again on the other;
    // no step that had completed (checkpointed) may.
    let takenOver = 0
    for (const runId of runs) {
      const log = await readStepLog(db.db, runId)
      const on = (pid: number | undefined) => [
        ...new Set(log.filter((l) => l.pid === pid).map((l) => stepOf(l.step))),
      ]
      const [before, after] = [on(one.child.pid), on(two.child.pid)]
      const repeated = before.filter((step) => after.includes(step))
      // At most the step in flight on the dead worker (its last one) ran again.
      expect(repeated, `steps repeated for ${runId}`).toEqual(
        repeated.length === 0 ? [] : before.slice(-1),
      )
      const handedOver = before.length > 0 && after.length > 0
      if (handedOver) takenOver += 1
      // Every step ran; a run that stayed on one worker ran each exactly once.
      const counts = ["create-sandbox", "checkout", "agent-done", "collect", "publish"].map(
        (step) => count(log, step),
      )
      const ok = counts.every((n) => n >= 1 && (handedOver || n === 1))
      expect(ok, `${runId}: ${counts.join(",")}`).toBe(true)
    }
    expect(takenOver).toBeGreaterThan(0)
    const reviewing = await listWorkflowRuns(db.db, { states: ["reviewing"], limit: 100 })
    expect(reviewing.length).toBeGreaterThanOrEqual(20)
    await kill9(two.child)
    await kill9(web.child)
  }, 90_000)
})
