// Scenarios: orchestration overhead (run committed → sandbox creation called,
// one run at a time and with 100 runs queued at once) and SSE fan-out latency
// (event committed → received by each of 50 concurrent streams). PatchPlane
// runs in this process with scripted steps, on the machine's PostgreSQL.
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import {
  appendRuntimeEvents,
  insertPromptRequest,
  upsertInstallation,
  upsertRepository,
} from "@patchplane/db"
import { createTestDatabase } from "@patchplane/db/testing"
import { Effect } from "effect"
import type { RunSteps } from "../src/orchestration/run-steps.ts"
import { startPatchPlane } from "../src/server/start.ts"
import { percentile } from "./children.ts"
import type { BenchRow } from "./report.ts"

const row = (name: string, metric: string, value: number, target: string | null): BenchRow => ({
  name,
  metric,
  value,
  unit: "ms",
  target,
  baseline: null,
  ratio: null,
})

/** Steps that do nothing but note when sandbox creation was asked for. */
const timingSteps = (createdAt: Map<string, number>): RunSteps => ({
  createSandbox: async (plan) => {
    createdAt.set(plan.runId, performance.now())
    return { sandboxId: `bench-${plan.runId}`, runtimeSessionId: null }
  },
  checkout: async () => {},
  runAgent: async () => ({ kind: "completed" }),
  collectPatchSet: async () => ({ kind: "no-changes" }),
  destroySandbox: async () => {},
  publish: async () => {},
})

/** Reads an SSE response and reports when each runtime event (by seq) arrived. */
const watch = async (
  url: string,
  token: string,
  onEvent: (seq: number) => void,
  stop: AbortSignal,
) => {
  // As the local operator: this start's token (loopback alone is not enough).
  const res = await fetch(url, { signal: stop, headers: { authorization: `Bearer ${token}` } })
  const reader = res.body?.getReader()
  if (!reader) return
  const decoder = new TextDecoder()
  let buffer = ""
  try {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return
      buffer += decoder.decode(value, { stream: true })
      let end: number
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const frame = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const id = /^id: (\d+)$/m.exec(frame)?.[1]
        if (id !== undefined && frame.includes("event: runtime-event")) onEvent(Number(id))
      }
    }
  } catch {
    // aborted at the end of the scenario
  }
}

export const orchestrationScenarios = async (options: {
  /** Runs enqueued one at a time, each after the previous reached its sandbox. */
  steady: number
  /** Runs enqueued at once. */
  queued: number
  streams: number
  events: number
}): Promise<BenchRow[]> => {
  const db = await createTestDatabase("bench_orch")
  const dir = await mkdtemp(join(tmpdir(), "pp-bench-orch-"))
  await writeFile(
    join(dir, "patchplane.config.json"),
    JSON.stringify({
      server: { port: 0, logLevel: "silent" },
      orchestration: {
        globalConcurrency: options.queued,
        perRepositoryConcurrency: options.queued,
        pollingIntervalMs: 20,
      },
    }),
  )
  const createdAt = new Map<string, number>()
  const app = await startPatchPlane({
    cwd: dir,
    env: { DATABASE_URL: db.url },
    steps: timingSteps(createdAt),
  })
  try {
    const installation = await upsertInstallation(db.db, {
      installationId: 1,
      accountLogin: "bench",
      accountId: 1,
      accountType: "Organization",
    })
    const requests: Array<{ repositoryId: string; promptRequestId: string }> = []
    // One warm-up run, then the steady ones, then the burst; one repository each.
    for (let i = 0; i < 1 + options.steady + options.queued; i++) {
      const repository = await upsertRepository(db.db, {
        githubInstallationId: installation.id,
        githubRepoId: 10_000 + i,
        fullName: `bench/repo-${i}`,
      })
      const request = await insertPromptRequest(db.db, {
        repositoryId: repository.id,
        prompt: "benchmark",
        sourceChannel: "app",
        targetRef: "main",
        initiator: {},
      })
      requests.push({ repositoryId: repository.id, promptRequestId: request.id })
    }
    const enqueue = async (r: (typeof requests)[number]) => {
      const run = await Effect.runPromise(app.orchestrator.enqueue({ ...r, actor: "bench" }))
      committed.set(run.id, performance.now())
      return run.id
    }
    const reachedSandbox = async (ids: ReadonlyArray<string>) => {
      const deadline = Date.now() + 60_000
      while (ids.some((id) => !createdAt.has(id)) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 5))
      const missing = ids.filter((id) => !createdAt.has(id)).length
      if (missing > 0) throw new Error(`${missing} runs never reached their sandbox`)
      return ids.map((id) => (createdAt.get(id) ?? 0) - (committed.get(id) ?? 0))
    }
    const committed = new Map<string, number>()
    const [warmUp, ...rest] = requests
    if (warmUp === undefined) throw new Error("no runs to measure")
    await reachedSandbox([await enqueue(warmUp)]) // the queue's first dispatch after start
    // Steady: one run at a time, as requests usually arrive.
    const steady: number[] = []
    for (const r of rest.slice(0, options.steady))
      steady.push(...(await reachedSandbox([await enqueue(r)])))
    // Burst: every remaining run queued at once.
    const burstStarted = performance.now()
    const burstIds = await Promise.all(rest.slice(options.steady).map(enqueue))
    const burst = await reachedSandbox(burstIds)
    const burstMs = Math.max(...burstIds.map((id) => createdAt.get(id) ?? 0)) - burstStarted

    // SSE fan-out: N clients on one run; events committed one at a time.
    const runId = [...committed.keys()][0] ?? ""
    const received: number[] = []
    const commitTimes = new Map<number, number>()
    const stop = new AbortController()
    const baseSeq =
      (await appendRuntimeEvents(db.db, runId, [{ kind: "message", payload: {} }]))[0]?.seq ?? 0
    await Promise.all(
      Array.from(
        { length: options.streams },
        () =>
          new Promise<void>((ready) => {
            let seenBase = false
            void watch(
              `${app.url}/api/runs/${runId}/events`,
              app.localOperator?.token ?? "",
              (seq) => {
                if (seq === baseSeq && !seenBase) {
                  seenBase = true
                  ready()
                }
                const at = commitTimes.get(seq)
                if (at !== undefined) received.push(performance.now() - at)
              },
              stop.signal,
            )
          }),
      ),
    )
    for (let i = 0; i < options.events; i++) {
      const t0 = performance.now()
      const [stored] = await appendRuntimeEvents(db.db, runId, [
        { kind: "message", payload: { kind: "message", role: "assistant", text: `e${i}` } },
      ])
      if (stored) commitTimes.set(stored.seq, t0)
      await new Promise((r) => setTimeout(r, 25))
    }
    const expected = options.streams * options.events
    const waitUntil = Date.now() + 10_000
    while (received.length < expected && Date.now() < waitUntil)
      await new Promise((r) => setTimeout(r, 20))
    stop.abort()
    if (received.length < expected)
      throw new Error(`SSE clients received ${received.length} of ${expected} events`)

    const steadyName = "orchestration overhead, one run at a time"
    const burstName = `orchestration overhead, ${burstIds.length} runs queued at once`
    const sse = `SSE fan-out (${options.streams} streams × ${options.events} events)`
    return [
      row(steadyName, "p50", percentile(steady, 50), null),
      row(steadyName, "p95", percentile(steady, 95), "< 100"),
      row(burstName, "p50", percentile(burst, 50), null),
      row(burstName, "p95", percentile(burst, 95), "< 100"),
      row(burstName, "first enqueued → last sandbox, per run", burstMs / burstIds.length, null),
      row(sse, "p50", percentile(received, 50), null),
      row(sse, "p95", percentile(received, 95), "< 100"),
    ]
  } finally {
    await app.stop()
    await db.drop()
    await rm(dir, { recursive: true, force: true })
  }
}
