// Baseline for the dispatch benchmark: a bare DBOS app doing what a run does
// with scripted steps, and nothing more. The same queue options as PatchPlane's
// run queue (one partition per repository, the same polling interval), the
// same number of checkpointed steps (11), and comparable rows: a run row and
// its audit row at enqueue, then five state changes, each an UPDATE plus an
// audit row and a provenance-like row in one transaction. It imports DBOS
// directly because it IS the thing we compare against. Prints one JSON line
// with its figures and exits.
import { DBOS } from "@dbos-inc/dbos-sdk"
import { Pool } from "pg"

const [databaseUrl, countText, pollingText] = process.argv.slice(2)
const count = Number(countText)
const pool = new Pool({ connectionString: databaseUrl, max: 20 })
await pool.query(`
  CREATE TABLE IF NOT EXISTS bare_runs (id text PRIMARY KEY, state text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());
  CREATE TABLE IF NOT EXISTS bare_audit (id bigserial PRIMARY KEY, run_id text NOT NULL, from_state text, to_state text NOT NULL, at timestamptz NOT NULL DEFAULT now());
  CREATE TABLE IF NOT EXISTS bare_edges (id bigserial PRIMARY KEY, run_id text NOT NULL, data jsonb NOT NULL, at timestamptz NOT NULL DEFAULT now());
`)

const move = async (runId: string, from: string, to: string) => {
  const client = await pool.connect()
  try {
    await client.query("BEGIN")
    await client.query("UPDATE bare_runs SET state = $2, updated_at = now() WHERE id = $1", [
      runId,
      to,
    ])
    await client.query(
      "INSERT INTO bare_audit (run_id, from_state, to_state) VALUES ($1, $2, $3)",
      [runId, from, to],
    )
    await client.query("INSERT INTO bare_edges (run_id, data) VALUES ($1, $2)", [
      runId,
      JSON.stringify({ from, to }),
    ])
    await client.query("COMMIT")
  } finally {
    client.release()
  }
}

const reachedSandbox = new Map<string, number>()
const finished = new Map<string, number>()
const step = <A>(name: string, fn: () => Promise<A>) => DBOS.runStep(fn, { name })
const noop = async () => {}

const run = DBOS.registerWorkflow(
  async (runId: string) => {
    await step("resolve", async () => {
      await pool.query("SELECT * FROM bare_runs WHERE id = $1", [runId])
      await move(runId, "queued", "provisioning")
    })
    await step("create-sandbox", async () => {
      reachedSandbox.set(runId, performance.now())
    })
    await step("checkout", noop)
    await step("state:running", () => move(runId, "provisioning", "running"))
    await step("run-agent", noop)
    await step("state:collecting", () => move(runId, "running", "collecting"))
    await step("collect", noop)
    await step("destroy-sandbox", noop)
    await step("state:reviewing", () => move(runId, "collecting", "reviewing"))
    await step("state:decided", () => move(runId, "reviewing", "decided"))
    await step("next-on-target", async () => {
      await pool.query("SELECT id FROM bare_runs WHERE id = $1 AND state <> 'decided'", [runId])
    })
    finished.set(runId, performance.now())
    return "done"
  },
  { name: "bare.run" },
)

DBOS.setConfig({
  name: "bare-dbos",
  systemDatabaseUrl: databaseUrl ?? "",
  systemDatabaseSchemaName: "dbos",
  executorID: "bare",
  logLevel: "error",
  enableOTLP: false,
  listenQueues: ["bare-runs"],
})
await DBOS.launch()
await DBOS.registerQueue("bare-runs", {
  globalConcurrency: count,
  partitionConcurrency: count,
  minPollingIntervalMs: Number(pollingText),
  onConflict: "always_update",
})

const enqueue = async (i: number) => {
  const runId = `bare-${i}-${Date.now()}`
  const client = await pool.connect()
  try {
    await client.query("BEGIN")
    await client.query("INSERT INTO bare_runs (id, state) VALUES ($1, 'queued')", [runId])
    await client.query("INSERT INTO bare_audit (run_id, to_state) VALUES ($1, 'queued')", [runId])
    await client.query("COMMIT")
  } finally {
    client.release()
  }
  await DBOS.startWorkflow(run, {
    workflowID: runId,
    queueName: "bare-runs",
    enqueueOptions: { queuePartitionKey: `repo-${i}` },
  })(runId)
  return runId
}

const waitAll = async (ids: ReadonlyArray<string>) => {
  const deadline = Date.now() + 120_000
  while (ids.some((id) => !finished.has(id)) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 5))
  if (ids.some((id) => !finished.has(id))) throw new Error("bare DBOS runs did not finish")
}

// Warm-up (the queue's first dispatch after launch), then the burst.
await waitAll([await enqueue(-1)])
const cpu0 = process.cpuUsage()
const t0 = performance.now()
const ids = await Promise.all(Array.from({ length: count }, (_, i) => enqueue(i)))
await waitAll(ids)
const cpu = process.cpuUsage(cpu0)
const at = (m: Map<string, number>) => Math.max(...ids.map((id) => m.get(id) ?? 0)) - t0
console.log(
  JSON.stringify({
    result: {
      toLastSandboxMs: at(reachedSandbox),
      toLastFinishedMs: at(finished),
      cpuMs: (cpu.user + cpu.system) / 1000,
    },
  }),
)
await DBOS.shutdown()
await pool.end()
