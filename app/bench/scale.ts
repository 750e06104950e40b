// Scenario: figures at scale, on one web process (a child, scripted steps).
// (a) A run with `events` RuntimeEvents: how long GET /api/runs/:id — what the
// run page loads — takes to answer. (b) `streams` concurrent SSE clients on one
// run: the web process's RSS with them open, and event committed → received
// p95 across every client. The clients live in this (bench) process, on the
// same two cores, so the latency includes their own reading.
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { appendRuntimeEvents } from "@patchplane/db"
import { createTestDatabase } from "@patchplane/db/testing"
import { percentile, sleep, startServer, stopServer } from "./children.ts"
import { sample } from "./memory.ts"
import type { BenchRow } from "./report.ts"
import { seedRepository, seedRun } from "./seed.ts"
import { watch } from "./sse-watch.ts"

const TOKEN = "bench-viewer-token"
const MB = 1024 * 1024
const auth = { authorization: `Bearer ${TOKEN}` }

const ms = (name: string, metric: string, value: number, target: string | null): BenchRow => ({
  name,
  metric,
  value,
  unit: "ms",
  target,
  baseline: null,
  ratio: null,
})

export const scale = async (options: {
  events: number
  requests: number
  streams: number
  commits: number
}): Promise<BenchRow[]> => {
  const db = await createTestDatabase("bench_scale")
  const dir = await mkdtemp(join(tmpdir(), "pp-bench-scale-"))
  await writeFile(
    join(dir, "patchplane.config.json"),
    JSON.stringify({
      server: { port: 0, logLevel: "silent" },
      api: { tokens: [{ name: "bench", token: TOKEN, role: "viewer" }] },
    }),
  )
  const repository = await seedRepository(db.db, "bench/scale", 40_000)
  const newRun = () => seedRun(db.db, repository.id, "benchmark")
  const big = await newRun()
  for (let done = 0; done < options.events; done += 500)
    await appendRuntimeEvents(
      db.db,
      big.id,
      Array.from({ length: Math.min(500, options.events - done) }, (_, i) => ({
        kind: "message" as const,
        payload: {
          kind: "message",
          role: "assistant",
          text: `step ${done + i}: read the file, ran the tests, and changed two lines`,
        },
      })),
    )
  const live = await newRun()
  const server = await startServer("memory-server.ts", [dir, db.url, "1000", "web"], { ipc: true })
  const stop = new AbortController()
  try {
    // (a) The run page's API answer, warm.
    const answer: number[] = []
    let bytes = 0
    for (let i = 0; i < options.requests + 1; i++) {
      const t0 = performance.now()
      const res = await fetch(`${server.url}/api/runs/${big.id}`, { headers: auth })
      const text = await res.text()
      if (res.status !== 200) throw new Error(`GET /api/runs/:id answered ${res.status}: ${text}`)
      if (i > 0) answer.push(performance.now() - t0)
      bytes = text.length
    }

    // (b) SSE clients on one run: all connected (each has seen the first event), then commits.
    const idleRss = (await sample(server.child)).rss
    const note = { kind: "message", role: "assistant", text: "" } as const
    const baseSeq =
      (await appendRuntimeEvents(db.db, live.id, [{ kind: "message", payload: note }]))[0]?.seq ?? 0
    const commitTimes = new Map<number, number>()
    const arrivals: Array<[number, number]> = []
    await Promise.all(
      Array.from(
        { length: options.streams },
        () =>
          new Promise<void>((ready) => {
            let seen = false
            void watch(
              `${server.url}/api/runs/${live.id}/events`,
              TOKEN,
              (seq) => {
                if (seq === baseSeq && !seen) {
                  seen = true
                  ready()
                }
                // Matched with its commit afterwards: an event can arrive before its append returns.
                if (seq !== baseSeq) arrivals.push([seq, performance.now()])
              },
              stop.signal,
            )
          }),
      ),
    )
    const openRss = (await sample(server.child)).rss
    for (let i = 0; i < options.commits; i++) {
      const t0 = performance.now()
      const [stored] = await appendRuntimeEvents(db.db, live.id, [
        { kind: "message", payload: { kind: "message", role: "assistant", text: `e${i}` } },
      ])
      if (stored) commitTimes.set(stored.seq, t0)
      await sleep(100)
    }
    const expected = options.streams * options.commits
    const until = Date.now() + 60_000
    while (arrivals.length < expected && Date.now() < until) await sleep(50)
    const busyRss = (await sample(server.child)).rss
    const received = arrivals.flatMap(([seq, at]) => {
      const committed = commitTimes.get(seq)
      return committed === undefined ? [] : [at - committed]
    })
    console.error(`bench: SSE clients received ${received.length} of ${expected} events`)

    const page = `run page API, a run with ${options.events.toLocaleString("en")} RuntimeEvents`
    const sse = `SSE, ${options.streams.toLocaleString("en")} clients on one web process`
    const mb = (name: string, metric: string, value: number): BenchRow => ({
      name,
      metric,
      value: value / MB,
      unit: "MB",
      target: null,
      baseline: null,
      ratio: null,
    })
    return [
      ms(page, "GET /api/runs/:id p50", percentile(answer, 50), null),
      ms(page, "GET /api/runs/:id p95", percentile(answer, 95), "< 500"),
      mb(page, "answer size", bytes),
      mb(sse, "web process RSS before the clients", idleRss),
      mb(sse, "web process RSS, clients connected", openRss),
      mb(sse, "web process RSS, after the events", busyRss),
      ms(sse, "event committed → received p50", percentile(received, 50), null),
      ms(sse, "event committed → received p95", percentile(received, 95), "< 1000"),
      {
        name: sse,
        metric: "events received, of those sent (every client, every event)",
        value: (100 * received.length) / expected,
        unit: "%",
        target: ">= 100",
        baseline: null,
        ratio: null,
      },
    ]
  } finally {
    stop.abort()
    await stopServer(server.child)
    await db.drop()
    await rm(dir, { recursive: true, force: true })
  }
}
