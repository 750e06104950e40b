// Scenario: memory of the control plane, idle and busy. PatchPlane (web and
// worker roles, scripted steps) runs as a child process and reports its own
// process.memoryUsage() over IPC, so none of the bench's allocations count;
// /proc/<pid>/status gives the kernel's view (VmRSS, peak VmHWM) beside it.
// Idle: after start, nothing happening. Busy: `runs` runs started through
// POST /api/prompts (ten at a time), `concurrency` of them executing at once
// (agents streaming a RuntimeEvent a second) and the rest queued, with
// `streams` SSE clients following the executing runs.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { ChildProcess } from "node:child_process"
import { upsertInstallation, upsertRepository } from "@patchplane/db"
import { createTestDatabase } from "@patchplane/db/testing"
import { median, sleep, startServer, stopServer } from "./children.ts"
import type { BenchRow } from "./report.ts"

const TOKEN = "bench-reviewer-token"
const MB = 1024 * 1024
const REPOSITORIES = 10

interface Sample {
  readonly rss: number
  readonly heapUsed: number
  readonly agents: number
}

const mb = (bytes: number) => bytes / MB
const row = (
  name: string,
  metric: string,
  value: number,
  target: string | null,
  unit = "MB",
): BenchRow => ({ name, metric, value, unit, target, baseline: null, ratio: null })

/** Asks the child for its process.memoryUsage(). */
export const sample = (child: ChildProcess) =>
  new Promise<Sample>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no memory answer from the child")), 10_000)
    const onMessage = (message: { type: string; usage: NodeJS.MemoryUsage; agents: number }) => {
      if (message.type !== "memory") return
      clearTimeout(timer)
      child.off("message", onMessage)
      resolve({ rss: message.usage.rss, heapUsed: message.usage.heapUsed, agents: message.agents })
    }
    child.on("message", onMessage)
    child.send({ type: "memory" })
  })

/** VmRSS and VmHWM (peak) of a process, in bytes, from the kernel. */
export const procStatus = async (pid: number) => {
  const text = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "")
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? 0)
  return { rss: kb("VmRSS") * 1024, peak: kb("VmHWM") * 1024 }
}

/**
 * Opens an SSE stream and keeps reading (and dropping) what arrives until
 * `stop`; resolves with the response status once the stream is open.
 */
const follow = (url: string, stop: AbortSignal) =>
  new Promise<number>((opened) => {
    void (async () => {
      try {
        const res = await fetch(url, {
          signal: stop,
          headers: { authorization: `Bearer ${TOKEN}` },
        })
        opened(res.status)
        const reader = res.body?.getReader()
        if (reader === undefined) return
        for (;;) if ((await reader.read()).done) return
      } catch {
        opened(0) // aborted at the end of the scenario (or never connected)
      }
    })()
  })

export const memory = async (options: {
  runs: number
  concurrency: number
  streams: number
  idleMs: number
  busyMs: number
}): Promise<BenchRow[]> => {
  const db = await createTestDatabase("bench_mem")
  const dir = await mkdtemp(join(tmpdir(), "pp-bench-mem-"))
  await writeFile(
    join(dir, "patchplane.config.json"),
    JSON.stringify({
      server: { port: 0, logLevel: "silent" },
      api: { tokens: [{ name: "bench", token: TOKEN, role: "reviewer" }] },
      orchestration: {
        globalConcurrency: options.concurrency,
        perRepositoryConcurrency: options.concurrency,
      },
    }),
  )
  const installation = await upsertInstallation(db.db, {
    installationId: 1,
    accountLogin: "bench",
    accountId: 1,
    accountType: "Organization",
  })
  for (let r = 0; r < REPOSITORIES; r++)
    await upsertRepository(db.db, {
      githubInstallationId: installation.id,
      githubRepoId: 30_000 + r,
      fullName: `bench/repo-${r}`,
    })
  const server = await startServer("memory-server.ts", [dir, db.url, "1000"], { ipc: true })
  const pid = server.child.pid ?? 0
  const stop = new AbortController()
  try {
    // Idle: let start-up garbage settle, then a few samples.
    await sleep(options.idleMs)
    const idle: Sample[] = []
    for (let i = 0; i < 3; i++) {
      idle.push(await sample(server.child))
      await sleep(200)
    }
    const idleProc = await procStatus(pid)

    // Busy: runs started as the dashboard starts them; each on its own branch,
    // so none waits for another on the same target.
    const runIds: string[] = []
    let next = 0
    const start = async () => {
      while (next < options.runs) {
        const i = next++
        const res = await fetch(`${server.url}/api/prompts`, {
          method: "POST",
          headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
          body: JSON.stringify({
            repository: `bench/repo-${i % REPOSITORIES}`,
            prompt: `benchmark run ${i}: tidy up the README`,
            ref: `bench-${i}`,
          }),
        })
        const body = (await res.json()) as { runId?: string }
        if (res.status !== 201 || body.runId === undefined)
          throw new Error(`POST /api/prompts: ${res.status} ${JSON.stringify(body)}`)
        runIds.push(body.runId)
      }
    }
    await Promise.all(Array.from({ length: 10 }, start))
    const executing = Math.min(options.concurrency, options.runs)
    const deadline = Date.now() + 60_000
    while ((await sample(server.child)).agents < executing) {
      if (Date.now() > deadline) throw new Error(`fewer than ${executing} agents started`)
      await sleep(100)
    }
    const running = await db.pool.query<{ id: string }>(
      "SELECT id FROM workflow_runs WHERE state = 'running' ORDER BY created_at, id",
    )
    const followed = running.rows.map((r) => r.id)
    const statuses = await Promise.all(
      Array.from({ length: options.streams }, (_, i) =>
        follow(
          `${server.url}/api/runs/${followed[i % followed.length] ?? runIds[0] ?? ""}/events`,
          stop.signal,
        ),
      ),
    )
    if (statuses.some((status) => status !== 200))
      throw new Error(`SSE streams answered ${statuses.join(", ")}`)
    const busy: Sample[] = []
    const until = Date.now() + options.busyMs
    while (Date.now() < until) {
      busy.push(await sample(server.child))
      await sleep(250)
    }
    const busyProc = await procStatus(pid)
    const queued = await db.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM workflow_runs WHERE state = 'queued'",
    )

    // The agents finish; the queued runs are left to the stop (a durable queue
    // picks them up at the next start).
    stop.abort()
    server.child.send({ type: "release" })

    const idleName = "control plane, idle (child process)"
    const busyName = `control plane, busy: ${options.runs} runs (${executing} executing, ${queued.rows[0]?.n ?? 0} queued), ${options.streams} SSE streams`
    return [
      row(idleName, "start: spawn → listening", server.startMs, null, "ms"),
      row(idleName, "RSS", mb(median(idle.map((s) => s.rss))), "< 300"),
      row(idleName, "heap used", mb(median(idle.map((s) => s.heapUsed))), null),
      row(idleName, "peak RSS since start (VmHWM)", mb(idleProc.peak), null),
      row(busyName, "peak RSS", mb(Math.max(...busy.map((s) => s.rss))), "< 1024"),
      row(busyName, "peak heap used", mb(Math.max(...busy.map((s) => s.heapUsed))), null),
      row(busyName, "peak RSS since start (VmHWM)", mb(busyProc.peak), null),
    ]
  } finally {
    stop.abort()
    await stopServer(server.child)
    await db.drop()
    await rm(dir, { recursive: true, force: true })
  }
}
