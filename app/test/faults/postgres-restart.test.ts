// PostgreSQL restarted under a running PatchPlane. The app runs on its own
// embedded PostgreSQL (own port, own data directory: the machine's shared
// server is never touched) with scripted steps; the server is stopped and
// started again while runs are in their agent step. Every run must still end
// (or fail with its reason: never vanish), and the app must keep serving
// webhooks and API calls afterwards without being restarted itself.
import { rm } from "node:fs/promises"
import { join } from "node:path"
import {
  createDatabase,
  createPool,
  type EmbeddedServer,
  getWorkflowRun,
  startEmbeddedPostgres,
  type WorkflowRunRow,
  listRuntimeEvents,
} from "@patchplane/db"
import { Effect } from "effect"
import nock from "nock"
import type { Pool } from "pg"
import { afterAll, beforeAll, expect, it } from "vitest"
import { startPatchPlane, type RunningPatchPlane } from "../../src/main/start.ts"
import { openTempDir } from "../execution/helpers.ts"
import {
  example,
  GITHUB,
  mockInstallationToken,
  permissionReply,
  REPO,
  sign,
  writeGitHubConfig,
} from "../intake/harness.ts"
import { fastOrchestration, seed } from "../orchestration/harness.ts"
import { type ScriptedSteps, scriptedSteps } from "../orchestration/scripted-steps.ts"

let root: string
let dataDir: string
let pg: EmbeddedServer
let pool: Pool
let db: ReturnType<typeof createDatabase>
let steps: ScriptedSteps
let app: RunningPatchPlane
const fenced: string[] = []

beforeAll(async () => {
  nock.disableNetConnect()
  nock.enableNetConnect(/127\.0\.0\.1|localhost/)
  // The repositories here have no policy file of their own.
  nock(GITHUB)
    .persist()
    .post(/\/app\/installations\/\d+\/access_tokens/)
    .reply(201, {
      token: "ghs_pg_restart",
      expires_at: new Date(Date.now() + 3_600_000).toISOString(),
    })
  nock(GITHUB)
    .persist()
    .get(/\/contents\/.*patchplane\.yml/)
    .query(true)
    .reply(404, { message: "Not Found" })
  // As root the embedded server runs as "postgres", which must reach the data directory.
  root = await openTempDir("pp-pg-restart-")
  dataDir = join(root, "postgres")
  pg = await startEmbeddedPostgres({ dataDir })
  // The test's own connections (scripted steps, assertions) live through the restart too.
  pool = createPool(pg.url, { max: 4 })
  db = createDatabase(pool)
  steps = scriptedSteps(db)
  steps.changes = false // runs end in "decided" without waiting for reviews
  // These runs take no steering; the fixture's steer handler would query (unhandled) on reconnect.
  const runAgent = steps.runAgent.bind(steps)
  steps.runAgent = (plan, sandbox, control) =>
    runAgent(plan, sandbox, { ...control, onSteer: () => {} })
  await writeGitHubConfig(
    root,
    {},
    { orchestration: { ...fastOrchestration, globalConcurrency: 10, perRepositoryConcurrency: 2 } },
  )
  app = await startPatchPlane({
    cwd: root,
    env: { DATABASE_URL: pg.url },
    steps,
    roles: ["web", "worker"],
    onFenced: () => fenced.push("fenced"),
  })
  mockInstallationToken()
  const installed = await webhook("installation", example("installation", "created"))
  if (installed.status !== 200) throw new Error(`installation answered ${installed.status}`)
}, 120_000)

afterAll(async () => {
  nock.cleanAll()
  nock.enableNetConnect()
  await app?.stop()
  await pool?.end().catch(() => {})
  await pg?.stop()
  await rm(root, { recursive: true, force: true })
}, 60_000)

const webhook = async (event: string, payload: Record<string, unknown>) => {
  const body = JSON.stringify(payload)
  const res = await fetch(`${app.url}/api/github/webhooks`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": event,
      "x-github-delivery": crypto.randomUUID(),
      "x-hub-signature-256": sign(body),
    },
    body,
  })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

const startRun = async (repo: string) => {
  await seed(db, { repo })
  const res = await fetch(`${app.url}/api/prompts`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${app.localOperator?.token}`,
    },
    body: JSON.stringify({ repository: repo, prompt: "fix it" }),
  })
  expect(res.status).toBe(201)
  return ((await res.json()) as { runId: string }).runId
}

/** Polls until the run is in one of `states`; queries that fail (server down) are retried. */
const waitFor = async (runId: string, states: ReadonlyArray<string>, timeoutMs = 60_000) => {
  const deadline = Date.now() + timeoutMs
  let last: WorkflowRunRow | undefined
  for (;;) {
    last = await getWorkflowRun(db, runId).catch(() => last)
    if (last && states.includes(last.state)) return last
    if (Date.now() > deadline)
      throw new Error(
        `run ${runId} is ${last?.state} (${last?.reason}), expected one of ${states.join(", ")}`,
      )
    await new Promise((r) => setTimeout(r, 100))
  }
}

const ENDED = ["decided", "failed", "cancelled", "timed_out"]

/** Stops the server, keeps it down for `downMs`, and starts it again on the same port. */
const restartPostgres = async (downMs: number) => {
  const port = pg.port
  await pg.stop()
  const down = await fetch(`${app.url}/api/health`)
  expect(down.status).toBe(503)
  expect(await down.json()).toMatchObject({ ok: false, db: "down" })
  await new Promise((r) => setTimeout(r, downMs))
  pg = await startEmbeddedPostgres({ dataDir, port })
}

/** Every agent has stored its start: an outage from now on falls mid-turn. */
const agentsStarted = async (runs: ReadonlyArray<string>) => {
  for (const id of runs)
    await expect
      .poll(async () => (await listRuntimeEvents(db, id)).length, { timeout: 30_000 })
      .toBeGreaterThanOrEqual(2)
}

const callsOf = (runId: string) =>
  steps.calls.filter((c) => c.endsWith(`:${runId}`)).map((c) => c.slice(0, -runId.length - 1))

it("survives a PostgreSQL restart while agents work: runs finish, no step repeats, intake and API keep working", async () => {
  steps.agentMs = 8_000 // the database is back well before the agents finish
  const runs = await Promise.all([1, 2, 3].map((i) => startRun(`acme/pg-restart-${i}`)))
  for (const id of runs) await waitFor(id, ["running"], 30_000)
  await agentsStarted(runs)
  await restartPostgres(1_500)

  const ended = await Promise.all(runs.map((id) => waitFor(id, ENDED, 60_000)))
  for (const run of ended)
    expect(run).toMatchObject({ state: "decided", reason: expect.stringMatching(/^no changes/) })
  for (const id of runs)
    expect(callsOf(id)).toEqual([
      "create-sandbox",
      "checkout",
      "agent-start",
      "agent-done",
      "collect",
      "destroy-sandbox",
    ])
  expect(fenced).toEqual([])

  // The app, never restarted, answers again: health, a new API run, a new webhook.
  const health = await fetch(`${app.url}/api/health`)
  expect(health.status).toBe(200)
  expect(await health.json()).toMatchObject({ ok: true, db: "up" })
  steps.agentMs = 50
  const after = await startRun("acme/pg-restart-after")
  expect(await waitFor(after, ENDED, 30_000)).toMatchObject({ state: "decided" })

  const payload = example("issue_comment", "created") as {
    comment: { id: number; body: string }
    issue: { number: number }
  }
  payload.comment.body = "/patchplane after the restart"
  permissionReply("Codertocat", "write")
  nock(GITHUB).post(`/repos/${REPO}/issues/comments/${payload.comment.id}/reactions`).reply(201, {})
  nock(GITHUB)
    .post(`/repos/${REPO}/issues/${payload.issue.number}/comments`)
    .reply(201, { id: 31_337, html_url: "x" })
  const res = await webhook("issue_comment", payload)
  expect(res).toMatchObject({ status: 200, body: { ok: true, outcome: "processed" } })
  const stored = await pool.query(
    "SELECT r.status_comment_id FROM prompt_requests p JOIN workflow_runs r ON r.prompt_request_id = p.id WHERE p.prompt = $1",
    ["after the restart"],
  )
  expect(stored.rows).toEqual([{ status_comment_id: "31337" }])

  // Interrupts ride on LISTEN/NOTIFY (reconnected): a cancel still reaches a working agent.
  steps.agentMs = 60_000
  const long = await startRun("acme/pg-restart-cancel")
  await waitFor(long, ["running"], 30_000)
  // "running" is stored just before the agent step starts; a cancel in between
  // (rightly) never starts the agent, so wait until it is at work.
  await agentsStarted([long])
  await Effect.runPromise(app.orchestrator.cancel(long, "alice", "stop after restart"))
  expect(await waitFor(long, ENDED, 30_000)).toMatchObject({ state: "cancelled" })
  await expect.poll(() => callsOf(long), { timeout: 15_000 }).toContain("agent-stopped:cancel")
}, 120_000)

it("a step that ends while PostgreSQL is down fails its run with the reason; no run is left hanging", async () => {
  // The agent finishes (and stores its last events) while the server is down.
  steps.agentMs = 2_000
  const runs = await Promise.all([1, 2].map((i) => startRun(`acme/pg-outage-${i}`)))
  for (const id of runs) await waitFor(id, ["running"], 30_000)
  await agentsStarted(runs)
  await restartPostgres(6_000)

  const ended = await Promise.all(runs.map((id) => waitFor(id, ENDED, 60_000)))
  for (const run of ended)
    expect(run).toMatchObject({
      state: "failed",
      // The step's own database error, whichever it met (refused, terminated, failed rollback).
      reason: expect.stringMatching(/^run-agent failed: \S/),
    })
  // The sandbox of a failed run is still destroyed (just after the run is marked failed).
  for (const id of runs)
    await expect.poll(() => callsOf(id).at(-1), { timeout: 15_000 }).toBe("destroy-sandbox")
  expect(fenced).toEqual([])
}, 90_000)
