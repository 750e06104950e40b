// `npm run bench [-- --quick]`: every scenario in one go on the machine's
// PostgreSQL (TEST_DATABASE_URL / DATABASE_URL, else 127.0.0.1:5432).
import { report, type BenchRow } from "./report.ts"
import { orchestrationScenarios } from "./orchestration.ts"
import { reviewerFanout } from "./reviewer-fanout.ts"
import { webhookIngest } from "./webhook-ingest.ts"

const quick = process.argv.includes("--quick")
const rows: BenchRow[] = []
rows.push(
  ...(await webhookIngest(
    quick ? { count: 600, concurrency: 20 } : { count: 3000, concurrency: 20 },
  )),
)
rows.push(...(await reviewerFanout({ iterations: quick ? 3 : 7 })))
rows.push(...(await orchestrationScenarios({ runs: 100, streams: 50, events: quick ? 10 : 40 })))
await report(rows)
