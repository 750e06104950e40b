// `npm run bench [-- --quick]`: every scenario in one go on the machine's
// PostgreSQL (TEST_DATABASE_URL / DATABASE_URL, else 127.0.0.1:5432), one
// after the other so they do not disturb each other. Baselines (bare Probot,
// the slowest reviewer alone) run in the same invocation as what is compared
// with them, so ratios hold on a noisy machine. Prints one table and one JSON
// line per figure, and writes bench/results/latest.json. --quick: smaller
// counts, same scenarios (under a minute on two cores). --only <text>: just the
// scenarios whose title contains <text> (for working on one figure).
import { loadavg } from "node:os"
import { embeddedPostgres } from "./embedded-postgres.ts"
import { memory } from "./memory.ts"
import { memoryPerRole } from "./memory-roles.ts"
import { orchestrationScenarios } from "./orchestration.ts"
import { report, type BenchRow } from "./report.ts"
import { reviewerFanout } from "./reviewer-fanout.ts"
import { runsList } from "./runs-list.ts"
import { sanitizer } from "./sanitizer.ts"
import { runPageBrowser } from "./run-page-browser.ts"
import { scale } from "./scale.ts"
import { webhookIngest } from "./webhook-ingest.ts"

const quick = process.argv.includes("--quick")
const onlyAt = process.argv.indexOf("--only")
const only = onlyAt >= 0 ? (process.argv[onlyAt + 1] ?? "") : ""

const scenarios: ReadonlyArray<readonly [string, () => Promise<BenchRow[]>]> = [
  [
    "webhook ingest vs bare Probot",
    () => webhookIngest(quick ? { count: 400, concurrency: 20 } : { count: 3000, concurrency: 20 }),
  ],
  [
    "orchestration overhead and SSE fan-out",
    () =>
      orchestrationScenarios(
        quick
          ? { steady: 5, queued: 30, streams: 50, events: 10 }
          : { steady: 20, queued: 100, streams: 50, events: 40 },
      ),
  ],
  [
    "runs-list API",
    () => runsList(quick ? { runs: 1_000, requests: 10 } : { runs: 10_000, requests: 100 }),
  ],
  [
    "control-plane memory",
    () =>
      memory(
        quick
          ? { runs: 40, concurrency: 20, streams: 50, idleMs: 500, busyMs: 1_000 }
          : { runs: 100, concurrency: 50, streams: 50, idleMs: 3_000, busyMs: 5_000 },
      ),
  ],
  ["memory per role", () => memoryPerRole({ idleMs: quick ? 1_000 : 3_000 })],
  [
    "scale: a 5,000-event run, many SSE clients",
    () =>
      scale(
        quick
          ? { events: 5_000, requests: 5, streams: 200, commits: 5 }
          : { events: 5_000, requests: 20, streams: 1_000, commits: 20 },
      ),
  ],
  [
    "run page in Chromium: a 5,000-event run against a 50-event one",
    () => runPageBrowser({ events: 5_000, small: 50, loads: quick ? 3 : 7 }),
  ],
  ["reviewer fan-out", () => reviewerFanout({ iterations: quick ? 1 : 7 })],
  ["prompt sanitiser", () => sanitizer({ iterations: quick ? 3 : 9 })],
  ["embedded PostgreSQL", () => embeddedPostgres({ restarts: quick ? 1 : 3 })],
]

const started = performance.now()
const loadavgAtStart = loadavg()
const rows: BenchRow[] = []
const failed: string[] = []
for (const [title, scenario] of scenarios) {
  if (!title.includes(only)) continue
  const t0 = performance.now()
  console.error(`bench: ${title}…`)
  try {
    rows.push(...(await scenario()))
    console.error(`bench: ${title}: ${((performance.now() - t0) / 1000).toFixed(1)} s`)
  } catch (error) {
    failed.push(title)
    console.error(`bench: ${title}: FAILED`, error)
  }
}
await report(rows, {
  quick,
  seconds: (performance.now() - started) / 1000,
  failed,
  loadavgAtStart,
})
if (failed.length > 0) {
  console.error(`scenarios that failed: ${failed.join(", ")}`)
  process.exitCode = 1
}
