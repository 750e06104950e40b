// Scenario: the dashboard's runs list with 10,000 runs. Runs are seeded
// through the db repositories (request, run, one state transition each) into
// an isolated database; PatchPlane (web role) runs as a child process; the
// bench times GET /api/runs as the dashboard's list calls it (pages of 50,
// with an API token): the first page, a page filtered by repository and the
// active states, a page deep in the list (keyset cursor), and the
// /api/run-summaries call the list makes for the rows it shows.
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import {
  insertPromptRequest,
  insertWorkflowRun,
  type RepositoryRow,
  transitionWorkflowRun,
  upsertInstallation,
  upsertRepository,
  type WorkflowRunStateValue,
} from "@patchplane/db"
import { createTestDatabase, type TestDatabase } from "@patchplane/db/testing"
import { percentile, startServer, stopServer } from "./children.ts"
import type { BenchRow } from "./report.ts"

const TOKEN = "bench-viewer-token"
const REPOSITORIES = 20
const PAGE = 50
// What the dashboard's "active" filter asks for (dashboard/components/run-list.tsx).
const ACTIVE = "queued,provisioning,running,collecting,reviewing,awaiting_approval"

/** Most runs are finished; a few are still moving, as on a busy installation. */
const stateOf = (i: number): WorkflowRunStateValue | null => {
  const k = i % 20
  if (k === 0) return null // stays queued
  if (k === 1) return "running"
  if (k === 2) return "awaiting_approval"
  if (k < 6) return "failed"
  if (k === 6) return "cancelled"
  return "decided"
}

const seed = async (db: TestDatabase, runs: number) => {
  const installation = await upsertInstallation(db.db, {
    installationId: 1,
    accountLogin: "bench",
    accountId: 1,
    accountType: "Organization",
  })
  const repositories: RepositoryRow[] = []
  for (let r = 0; r < REPOSITORIES; r++)
    repositories.push(
      await upsertRepository(db.db, {
        githubInstallationId: installation.id,
        githubRepoId: 20_000 + r,
        fullName: `bench/repo-${r}`,
      }),
    )
  // A few runs per transaction, four transactions at a time. Runs of one
  // transaction share its now() as created_at; ties are broken by id, as the
  // keyset pagination expects.
  const BATCH = 20
  let next = 0
  const worker = async () => {
    while (next < runs) {
      const from = next
      next = Math.min(runs, next + BATCH)
      const to = next
      await db.db.transaction(async (tx) => {
        for (let i = from; i < to; i++) {
          const repository = repositories[i % REPOSITORIES]
          if (repository === undefined) throw new Error("no repository")
          const request = await insertPromptRequest(tx, {
            repositoryId: repository.id,
            prompt: `benchmark run ${i}: fix the flaky test in src/module-${i % 97}.ts`,
            sourceChannel: "app",
            targetRef: "main",
            initiator: { kind: "dashboard", userId: "bench", name: "bench" },
            initiatorLogin: "bench",
          })
          const run = await insertWorkflowRun(tx, {
            promptRequestId: request.id,
            repositoryId: repository.id,
          })
          const state = stateOf(Math.floor(i / REPOSITORIES))
          if (state !== null)
            await transitionWorkflowRun(tx, { id: run.id, from: "queued", to: state })
        }
      })
    }
  }
  await Promise.all(Array.from({ length: 4 }, worker))
  // A database that has grown to 10,000 runs has been analysed by autovacuum.
  await db.pool.query("ANALYZE")
}

interface RunPage {
  readonly runs: ReadonlyArray<{ id: string; state: string; repositoryId: string }>
  readonly nextCursor: string | null
}

export const runsList = async (options: {
  runs: number
  requests: number
}): Promise<BenchRow[]> => {
  const db = await createTestDatabase("bench_runs")
  const dir = await mkdtemp(join(tmpdir(), "pp-bench-runs-"))
  try {
    await seed(db, options.runs)
    await writeFile(
      join(dir, "patchplane.config.json"),
      JSON.stringify({
        server: { port: 0, logLevel: "silent" },
        api: { tokens: [{ name: "bench", token: TOKEN, role: "viewer" }] },
      }),
    )
    const server = await startServer("patchplane-server.ts", [dir, db.url])
    try {
      const get = async <T>(path: string): Promise<{ ms: number; body: T }> => {
        const t0 = performance.now()
        const res = await fetch(`${server.url}${path}`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        })
        const body = (await res.json()) as T
        const ms = performance.now() - t0
        if (res.status !== 200)
          throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(body)}`)
        return { ms, body }
      }
      const first = `/api/runs?limit=${PAGE}`
      const filtered = `/api/runs?limit=${PAGE}&repo=bench/repo-3&state=${ACTIVE}`
      // Walk down to the middle of the list, as "Older" clicked many times would.
      let deep = first
      for (let page = 0; page < Math.floor(options.runs / PAGE / 2); page++) {
        const { body } = await get<RunPage>(deep)
        if (body.nextCursor === null) break
        deep = `/api/runs?limit=${PAGE}&cursor=${body.nextCursor}`
      }
      const firstPage = (await get<RunPage>(first)).body
      const summaries = `/api/run-summaries?ids=${firstPage.runs.map((r) => r.id).join(",")}`
      const check = (await get<RunPage>(filtered)).body
      if (firstPage.runs.length !== PAGE)
        throw new Error(`first page has ${firstPage.runs.length} runs`)
      if (check.runs.length === 0 || check.runs.some((r) => !ACTIVE.split(",").includes(r.state)))
        throw new Error("the filtered page is empty or holds runs it should not")

      const paths = { first, filtered, deep, summaries }
      const times = { first: [], filtered: [], deep: [], summaries: [] } as Record<
        keyof typeof paths,
        number[]
      >
      const keys = Object.keys(paths) as Array<keyof typeof paths>
      for (const key of keys) for (let i = 0; i < 10; i++) await get(paths[key]) // warm-up
      // Interleaved, so a noisy moment hits every kind of request alike.
      for (let i = 0; i < options.requests; i++)
        for (const key of keys) times[key].push((await get(paths[key])).ms)

      const name = `runs-list API (${options.runs.toLocaleString("en")} runs, pages of ${PAGE})`
      const row = (metric: string, values: number[], target: string | null): BenchRow => ({
        name,
        metric,
        value: percentile(values, 95),
        unit: "ms",
        target,
        baseline: null,
        ratio: null,
      })
      return [
        row("first page p95", times.first, "< 200"),
        row("filtered page p95 (one repo, active states)", times.filtered, "< 200"),
        row(
          `page ${Math.floor(options.runs / PAGE / 2) + 1} p95 (keyset cursor)`,
          times.deep,
          null,
        ),
        row("run-summaries for the first page p95", times.summaries, null),
      ]
    } finally {
      await stopServer(server.child)
    }
  } finally {
    await db.drop()
    await rm(dir, { recursive: true, force: true })
  }
}
