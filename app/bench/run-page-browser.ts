// Scenario: the run page of a run with `events` RuntimeEvents in real headless
// Chromium, against the same page for a run with `small` events, alternating,
// on one web process: from navigation to interactive — the last event shown
// in the timeline and a click on one of its controls answered.
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ensureBuilt } from "@patchplane/dashboard/build"
import { appendRuntimeEvents, type NewRuntimeEvent } from "@patchplane/db"
import { createTestDatabase } from "@patchplane/db/testing"
import { launchBrowser } from "../../dashboard/test/browser.ts"
import { percentile, startServer, stopServer } from "./children.ts"
import type { BenchRow } from "./report.ts"
import { seedRepository, seedRun } from "./seed.ts"

const TOKEN = "bench-viewer-token"

/** An agent's work as it streams: turns, a message, a tool call and its output, over and over. */
type Event = Omit<NewRuntimeEvent, "workflowRunId">

const agentEvents = (count: number): Event[] =>
  Array.from({ length: count }, (_, i): Event => {
    const turn = Math.floor(i / 5) + 1
    const call = `call_${turn}`
    switch (i % 5) {
      case 0:
        return { kind: "turn.started", payload: { kind: "turn.started", turn } }
      case 1:
        return {
          kind: "message",
          payload: { kind: "message", role: "assistant", text: `step ${i}: reading the tests` },
        }
      case 2:
        return {
          kind: "tool.requested",
          payload: {
            kind: "tool.requested",
            toolCallId: call,
            tool: "bash",
            args: { command: "npm test" },
          },
        }
      case 3:
        return {
          kind: "tool.completed",
          payload: {
            kind: "tool.completed",
            toolCallId: call,
            tool: "bash",
            ok: true,
            output: "12 passing (0.9 s)",
            truncated: false,
          },
        }
      default:
        return { kind: "turn.completed", payload: { kind: "turn.completed", turn } }
    }
  })

/** The text of a run's last message (events 1, 6, 11, … are messages). */
const lastStep = (count: number) => `step ${count - 1 - ((count - 1 - 1 + 5) % 5)}:`

export const runPageBrowser = async (options: {
  events: number
  small: number
  loads: number
}): Promise<BenchRow[]> => {
  await ensureBuilt({ onProgress: (line) => console.error(`bench: dashboard build: ${line}`) })
  const db = await createTestDatabase("bench_run_page")
  const dir = await mkdtemp(join(tmpdir(), "pp-bench-page-"))
  await writeFile(
    join(dir, "patchplane.config.json"),
    JSON.stringify({
      server: { port: 0, logLevel: "silent" },
      // The local operator's sign-in, as `npm start` prints it.
      api: { localToken: TOKEN },
    }),
  )
  const repository = await seedRepository(db.db, "bench/page", 41_000)
  const seeded = async (count: number) => {
    const run = await seedRun(db.db, repository.id, "benchmark the run page")
    const events = agentEvents(count)
    for (let done = 0; done < events.length; done += 500)
      await appendRuntimeEvents(db.db, run.id, events.slice(done, done + 500))
    return run.id
  }
  const big = await seeded(options.events)
  const small = await seeded(options.small)
  const server = await startServer("memory-server.ts", [dir, db.url, "1000", "web"])
  // The same Chromium, flags and profile as the dashboard's browser tests.
  const browser = await launchBrowser()
  try {
    const context = await browser.context()
    const signIn = await context.newPage()
    await signIn.goto(`${server.url}/?token=${TOKEN}`)
    await signIn.close()
    const load = async (runId: string, count: number) => {
      const page = await context.newPage()
      try {
        const t0 = performance.now()
        await page.goto(`${server.url}/runs/${runId}`, { waitUntil: "commit" })
        await page
          .getByTestId("timeline")
          .getByText(lastStep(count), { exact: false })
          .last()
          .waitFor({ timeout: 60_000 })
        // Interactive: a control answers (React handled the click and drew the turn markers).
        await page.getByLabel("Show turn markers").click()
        await page
          .getByTestId("timeline")
          .getByText(`Turn ${Math.ceil(count / 5)} completed`)
          .first()
          .waitFor({ state: "attached", timeout: 60_000 })
        return performance.now() - t0
      } finally {
        await page.close()
      }
    }
    // One warm-up of each (Next.js compiles nothing at run time, but caches warm up).
    await load(small, options.small)
    await load(big, options.events)
    const bigTimes: number[] = []
    const smallTimes: number[] = []
    for (let i = 0; i < options.loads; i++) {
      smallTimes.push(await load(small, options.small))
      bigTimes.push(await load(big, options.events))
    }
    const name = `run page in Chromium, ${options.events.toLocaleString("en")} RuntimeEvents`
    const bigP50 = percentile(bigTimes, 50)
    const smallP50 = percentile(smallTimes, 50)
    return [
      {
        name,
        metric: "navigation → interactive p50",
        value: bigP50,
        unit: "ms",
        target: "<= 1.5",
        baseline: smallP50,
        ratio: bigP50 / smallP50,
      },
      {
        name,
        metric: "navigation → interactive p95",
        value: percentile(bigTimes, 95),
        unit: "ms",
        target: null,
        baseline: percentile(smallTimes, 95),
        ratio: percentile(bigTimes, 95) / percentile(smallTimes, 95),
      },
    ]
  } finally {
    await browser.close()
    await stopServer(server.child)
    await db.drop()
    await rm(dir, { recursive: true, force: true })
  }
}
