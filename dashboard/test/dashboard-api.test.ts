// The API routes the dashboard adds, over real HTTP: the session, local-mode
// rules (loopback host, no cross-site writes), run summaries, the provenance
// graph, PatchSet diffs (stored with them; older ones read from GitHub),
// repositories with their effective
// policy, webhook deliveries with idempotent replay, answers that decode with
// the API's shared Schemas, and run pages that stay fast with 10,000 runs.
import { request } from "node:http"
import {
  finishDelivery,
  insertPatchSet,
  type NewPatchSetDiff,
  insertPromptRequest,
  recordDelivery,
  linkRound,
  recordModelCall,
} from "@patchplane/db"
import { Api, DecodeError, decodeSyncWith } from "@patchplane/domain"
import { sql } from "drizzle-orm"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { BASE_SHA, DEMO_DIFF, DEMO_FILES, demoSteps, HEAD_SHA } from "./demo-steps.ts"
import { type FakeGitHub, startFakeGitHub } from "./fake-github.ts"
import {
  connectRepository,
  type DashboardStack,
  githubConfig,
  startDashboardStack,
} from "./stack.ts"

const ADMIN = "admin-token-0123456789"
const VIEWER = "viewer-token-0123456789"

let stack: DashboardStack
let github: FakeGitHub
let repositoryId: string

beforeAll(async () => {
  github = await startFakeGitHub()
  github.diffs.set(`acme/widgets:${BASE_SHA}...${HEAD_SHA}`, DEMO_DIFF)
  stack = await startDashboardStack({
    steps: (db) => demoSteps(db, { agentMs: 60_000 }),
    config: async (dir) => ({
      github: await githubConfig(dir, github.url),
      api: {
        tokens: [
          { name: "ops", token: ADMIN, role: "admin" },
          { name: "watcher", token: VIEWER, role: "viewer" },
        ],
      },
    }),
  })
  repositoryId = (await connectRepository(stack.db, "acme/widgets", 900)).id
}, 60_000)
afterAll(async () => {
  await stack?.stop()
  await github?.close()
})

const api = async (
  path: string,
  init: RequestInit & { token?: string; base?: string; signedOut?: boolean } = {},
): Promise<{ status: number; body: any; headers: Headers }> => {
  const headers = new Headers(init.headers)
  if (init.token) headers.set("authorization", `Bearer ${init.token}`)
  // Otherwise the local operator's browser: the cookie from the printed sign-in URL.
  else if (init.signedOut !== true) headers.set("cookie", stack.localCookie)
  if (init.body) headers.set("content-type", "application/json")
  const res = await fetch(`${init.base ?? stack.url}${path}`, {
    ...init,
    headers,
    redirect: "manual",
  })
  const text = await res.text()
  return { status: res.status, body: text === "" ? null : JSON.parse(text), headers: res.headers }
}

/** fetch() cannot set Host; a DNS-rebinding page would send its own name. */
const statusWithHost = (path: string, host: string, token?: string) =>
  new Promise<number>((resolve, reject) => {
    const req = request(`${stack.url}${path}`, {
      headers: {
        host,
        ...(token ? { authorization: `Bearer ${token}` } : { cookie: stack.localCookie }),
      },
    })
    req.on("response", (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on("error", reject)
    req.end()
  })

const compares = () => github.calls.filter((c) => c.includes("/compare/")).length

const timed = async (path: string) => {
  const started = performance.now()
  const res = await api(path)
  return { ms: performance.now() - started, body: res.body }
}

const startRun = async (prompt = "Make greet() polite") => {
  const res = await api("/api/prompts", {
    method: "POST",
    body: JSON.stringify({ repository: "acme/widgets", prompt }),
  })
  expect(res.status).toBe(201)
  return res.body.runId as string
}

const DEMO_SHAS = { baseSha: BASE_SHA, headSha: HEAD_SHA }

/**
 * The demo's patch set on a run's branch: with its diff when given, else as
 * recorded before diffs were stored (GitHub has it); without shas it cannot be compared.
 */
const insertDemoPatchSet = (
  runId: string,
  { shas = DEMO_SHAS, diff }: { shas?: typeof DEMO_SHAS | null; diff?: NewPatchSetDiff } = {},
) =>
  insertPatchSet(
    stack.db,
    {
      workflowRunId: runId,
      branch: `patchplane/${runId}`,
      ...shas,
      files: DEMO_FILES,
      diffSummary: { filesChanged: 2, additions: 3, deletions: 1 },
    },
    diff,
  )

describe("session and local mode", () => {
  it("names the caller, the mode and what is not configured", async () => {
    const local = await api("/api/session")
    expect(local.body).toMatchObject({
      auth: "local",
      caller: { id: "local-operator", role: "admin" },
      paused: false,
      github: { configured: true },
    })
    expect(local.body.unconfigured).not.toContain("GitHub App (github)")
    const viewer = await api("/api/session", { token: VIEWER })
    expect(viewer.body.caller).toEqual({ id: "token:watcher", name: "watcher", role: "viewer" })
    expect((await api("/api/control")).body).toEqual({ paused: false })
    // This machine alone is not the operator (a run's sandbox is on it too).
    const stranger = await api("/api/session", { signedOut: true })
    expect(stranger.body).toMatchObject({ auth: "local", caller: null })
    expect((await api("/api/control", { signedOut: true })).status).toBe(401)
  })

  it("refuses a DNS-rebound host and cross-site writes", async () => {
    expect(await statusWithHost("/api/runs", "evil.example:3000")).toBe(401)
    expect(await statusWithHost("/api/runs", "localhost")).toBe(200)
    const crossSite = await api("/api/control/pause", {
      method: "POST",
      body: "{}",
      headers: { origin: "http://evil.example" },
    })
    expect(crossSite.status).toBe(403)
    expect(crossSite.body.error.code).toBe("cross_site")
    const fetchSite = await api("/api/control/pause", {
      method: "POST",
      body: "{}",
      headers: { "sec-fetch-site": "cross-site" },
    })
    expect(fetchSite.status).toBe(403)
    expect((await api("/api/control")).body.paused).toBe(false)
    // Tokens are not cookies: a script with one may call from anywhere.
    expect(await statusWithHost("/api/control", "evil.example", VIEWER)).toBe(200)
  })

  it("serves pages with a policy that keeps everything on this server", async () => {
    const res = await fetch(`${stack.url}/`, {
      headers: { "x-patchplane-api": "http://evil.example" },
    })
    expect([200, 503]).toContain(res.status)
    const csp = res.headers.get("content-security-policy") ?? ""
    expect(csp).toContain("default-src 'self'")
    expect(csp).toContain("connect-src 'self'")
    expect(csp).toContain("frame-ancestors 'none'")
    await res.text()
  })
})

describe("run views", () => {
  it("summarizes runs for the list and draws their provenance", async () => {
    const runId = await startRun("Summarize me")
    const summaries = await api(`/api/run-summaries?ids=${runId},not-a-uuid`)
    expect(summaries.body.summaries).toEqual([
      expect.objectContaining({
        runId,
        prompt: "Summarize me",
        repository: "acme/widgets",
        initiatorLogin: "local operator",
      }),
    ])
    const graph = await api(`/api/runs/${runId}/provenance`)
    expect(graph.status).toBe(200)
    const kinds = graph.body.nodes.map((n: { kind: string }) => n.kind)
    expect(kinds).toContain("prompt_request")
    expect(kinds).toContain("workflow_run")
    expect(graph.body.edges).toContainEqual(
      expect.objectContaining({ to: runId, relation: "started", derived: false }),
    )
    expect((await api("/api/runs/00000000-0000-4000-8000-000000000000/provenance")).status).toBe(
      404,
    )
    await api(`/api/runs/${runId}/cancel`, { method: "POST", body: "{}" })
  })

  it("stops a run's rounds for reviewers only, and says who stopped them", async () => {
    const runId = await startRun("Stop my rounds")
    const path = `/api/runs/${runId}/stop-rounds`
    expect((await api(path, { method: "POST", token: VIEWER })).status).toBe(403)
    expect((await api(`/api/runs/${runId}/rounds`)).body.stopped).toBeNull()
    const stopped = await api(path, { method: "POST", token: ADMIN })
    expect(stopped.status).toBe(200)
    expect(stopped.body.run.id).toBe(runId)
    const rounds = await api(`/api/runs/${runId}/rounds`, { token: VIEWER })
    expect(rounds.body.stopped).toMatchObject({ by: "ops", runId })
    await api(`/api/runs/${runId}/cancel`, { method: "POST", body: "{}" })
  })

  it("shows a patch set's stored diff without asking GitHub, also when GitHub has no branch to compare", async () => {
    const runId = await startRun("Diff me from the database")
    // Commits GitHub never saw (a refused push, a deleted branch): a compare would fail.
    const unpushed = { baseSha: "3".repeat(40), headSha: "4".repeat(40) }
    const before = compares()
    const stored = await insertDemoPatchSet(runId, {
      shas: unpushed,
      diff: { diff: DEMO_DIFF, bytes: Buffer.byteLength(DEMO_DIFF), truncated: false },
    })
    const path = `/api/runs/${runId}/patch-sets/${stored.id}/diff`
    expect((await api(path, { token: VIEWER })).body).toEqual({
      available: true,
      source: "stored",
      diff: DEMO_DIFF,
      truncated: false,
    })
    // Cut at the collection's cap: said the way a diff cut from GitHub is.
    const head = DEMO_DIFF.slice(0, 200)
    const capped = await insertDemoPatchSet(runId, {
      shas: unpushed,
      diff: { diff: head, bytes: Buffer.byteLength(DEMO_DIFF), truncated: true },
    })
    expect((await api(`/api/runs/${runId}/patch-sets/${capped.id}/diff`)).body).toEqual({
      available: true,
      source: "stored",
      diff: head,
      truncated: true,
    })
    expect(compares()).toBe(before)
    await api(`/api/runs/${runId}/cancel`, { method: "POST", body: "{}" })
  })

  it("reads a patch set recorded without its diff from GitHub, once, and says why when it cannot", async () => {
    const runId = await startRun("Diff me")
    const withShas = await insertDemoPatchSet(runId)
    const asked = compares()
    const first = await api(`/api/runs/${runId}/patch-sets/${withShas.id}/diff`, { token: VIEWER })
    expect(first.body).toEqual({
      available: true,
      source: "github",
      diff: DEMO_DIFF,
      truncated: false,
    })
    const before = compares()
    expect(before).toBe(asked + 1)
    await api(`/api/runs/${runId}/patch-sets/${withShas.id}/diff`)
    expect(compares()).toBe(before)
    const without = await insertDemoPatchSet(runId, { shas: null })
    const missing = await api(`/api/runs/${runId}/patch-sets/${without.id}/diff`)
    expect(missing.body).toMatchObject({
      available: false,
      reason: expect.stringMatching(/base and head/),
    })
    const otherRun = await startRun("Another")
    expect((await api(`/api/runs/${otherRun}/patch-sets/${withShas.id}/diff`)).status).toBe(404)
    for (const id of [runId, otherRun])
      await api(`/api/runs/${id}/cancel`, { method: "POST", body: "{}" })
  })
})

describe("what runs cost", () => {
  it("shows tokens and cost per run, against its budget, and a usage report equal to the model calls recorded", async () => {
    const first = await startRun("Cost me something")
    const second = await startRun("Cost me more")
    const calls = [
      { run: first, model: "m-small", input: 1_200, output: 300, cost: 0.0123 },
      { run: first, model: "m-small", input: 800, output: 200, cost: 0.0077 },
      { run: second, model: "m-large", input: 10_000, output: 2_500, cost: 0.25 },
    ]
    for (const c of calls)
      await recordModelCall(stack.db, {
        workflowRunId: c.run,
        model: c.model,
        inputTokens: c.input,
        outputTokens: c.output,
        costUsd: c.cost,
        status: 200,
        durationMs: 40,
      })
    const usage = await api(`/api/runs/${first}/usage`, { token: VIEWER })
    expect(usage.status).toBe(200)
    expect(usage.body).toMatchObject({ inputTokens: 2_000, outputTokens: 500, calls: 2 })
    expect(usage.body.costUsd).toBeCloseTo(0.02, 10)
    // The run's policy budget (the defaults: 2,000,000 tokens, $10).
    expect(usage.body).toMatchObject({ maxTokens: 2_000_000, maxCostUsd: 10 })

    const summaries = await api(`/api/run-summaries?ids=${first},${second}`)
    const byRun = new Map(
      summaries.body.summaries.map((s: { runId: string }) => [s.runId, s] as const),
    )
    expect(byRun.get(first)).toMatchObject({ tokens: 2_500 })
    expect(byRun.get(second)).toMatchObject({ tokens: 12_500, costUsd: 0.25 })

    // The report equals what model_calls holds for today, grouped three ways.
    const today = new Date().toISOString().slice(0, 10)
    const report = await api(`/api/usage?from=${today}&to=${today}`, { token: VIEWER })
    expect(report.status).toBe(200)
    const recorded = await stack.db.execute<{ calls: number; tokens_in: number; cost: number }>(
      sql`select count(*)::int as calls, coalesce(sum(input_tokens), 0)::float8 as tokens_in,
                 coalesce(sum(cost_usd), 0)::float8 as cost
          from model_calls where created_at >= ${`${today}T00:00:00Z`}`,
    )
    const row = recorded.rows[0]
    expect(report.body.total.calls).toBe(row?.calls)
    expect(report.body.total.inputTokens).toBe(row?.tokens_in)
    expect(report.body.total.costUsd).toBeCloseTo(row?.cost ?? -1, 10)
    expect(report.body.byRepository).toEqual([
      expect.objectContaining({ key: "acme/widgets", calls: row?.calls }),
    ])
    expect(report.body.byInitiator).toEqual([
      expect.objectContaining({ key: "local operator", calls: row?.calls }),
    ])
    expect(report.body.byDay).toEqual([expect.objectContaining({ key: today, calls: row?.calls })])
    expect((await api(`/api/usage?from=2026-13-01`, { token: VIEWER })).status).toBe(400)

    // As two rounds of one chain, each round says what it cost.
    await linkRound(stack.db, {
      previousRunId: first,
      runId: second,
      round: 2,
      trigger: "review",
      detail: {},
    })
    const rounds = await api(`/api/runs/${second}/rounds`, { token: VIEWER })
    expect(
      rounds.body.rounds.map((r: { id: string; tokens: number; costUsd: number }) => [
        r.id,
        r.tokens,
        Math.round(r.costUsd * 10_000),
      ]),
    ).toEqual([
      [first, 2_500, 200],
      [second, 12_500, 2_500],
    ])
    for (const id of [first, second])
      await api(`/api/runs/${id}/cancel`, { method: "POST", body: "{}" })
  })
})

describe("repositories", () => {
  it("lists installations with repositories, recent runs and the install link", async () => {
    const res = await api("/api/repositories", { token: VIEWER })
    expect(res.body.githubConfigured).toBe(true)
    expect(res.body.installUrl).toBe(`${github.url}/apps/patchplane-test/installations/new`)
    const installation = res.body.installations.find(
      (i: { installationId: number }) => i.installationId === 900,
    )
    const repo = installation.repositories.find(
      (r: { fullName: string }) => r.fullName === "acme/widgets",
    )
    expect(repo.recentRuns.length).toBeGreaterThan(0)
    expect(repo.recentRuns.length).toBeLessThanOrEqual(5)
  })

  it("shows the effective policy: the defaults, the repo's file, or its errors by field", async () => {
    const path = `/api/repositories/${repositoryId}/policy`
    const defaults = await api(path)
    expect(defaults.body).toMatchObject({
      source: "defaults",
      issues: [],
      policy: { passScore: 0.8 },
    })
    expect(defaults.body.note).toMatch(/no \.github\/patchplane\.yml/)

    github.files.set(
      "acme/widgets:.github/patchplane.yml",
      "passScore: 0.9\napprovalMode: auto-approve\n",
    )
    const custom = await api(path)
    expect(custom.body).toMatchObject({
      source: "acme/widgets@main:.github/patchplane.yml",
      issues: [],
      policy: { passScore: 0.9, approvalMode: "auto-approve" },
    })

    github.files.set(
      "acme/widgets:.github/patchplane.yml",
      "passScore: 3\nbudgets:\n  maxTurns: -1\n",
    )
    const broken = await api(path)
    expect(broken.body.policy).toBeNull()
    expect(broken.body.issues.map((i: { path: string }) => i.path).toSorted()).toEqual([
      "budgets.maxTurns",
      "passScore",
    ])
    github.files.delete("acme/widgets:.github/patchplane.yml")
  })
})

describe("webhook deliveries", () => {
  it("lists them newest first with outcome filter and pages", async () => {
    for (let i = 0; i < 3; i++) {
      await recordDelivery(stack.db, {
        deliveryId: `list-${i}`,
        event: "issue_comment",
        action: "created",
        repositoryFullName: "acme/widgets",
      })
      await finishDelivery(
        stack.db,
        `list-${i}`,
        i === 1 ? "failed" : "processed",
        i === 1 ? "boom" : null,
      )
    }
    const page1 = await api("/api/deliveries?limit=2")
    expect(page1.body.deliveries.map((d: { deliveryId: string }) => d.deliveryId)).toEqual([
      "list-2",
      "list-1",
    ])
    const page2 = await api(`/api/deliveries?limit=2&cursor=${page1.body.nextCursor}`)
    expect(page2.body.deliveries[0].deliveryId).toBe("list-0")
    const failed = await api("/api/deliveries?outcome=failed")
    expect(failed.body.deliveries).toContainEqual(
      expect.objectContaining({
        deliveryId: "list-1",
        outcome: "failed",
        error: "boom",
        promptRequestId: null,
      }),
    )
    expect((await api("/api/deliveries?outcome=nope")).body.error.path).toBe("outcome")
  })

  it("replays a failed delivery through GitHub, once per request, admins only", async () => {
    await recordDelivery(stack.db, { deliveryId: "guid-failed", event: "issue_comment" })
    await finishDelivery(stack.db, "guid-failed", "failed", "GitHub 502")
    github.deliveries.set("guid-failed", 123456)
    expect(
      (await api("/api/deliveries/guid-failed/replay", { method: "POST", token: VIEWER })).status,
    ).toBe(403)
    const replay = await api("/api/deliveries/guid-failed/replay", { method: "POST", token: ADMIN })
    expect(replay.status).toBe(202)
    expect(replay.body.replayed).toBe(true)
    expect(github.redelivered).toEqual([123456])

    // A failed delivery that already produced its PromptRequest: nothing new.
    await recordDelivery(stack.db, { deliveryId: "guid-done", event: "issue_comment" })
    const promptRequest = await insertPromptRequest(stack.db, {
      repositoryId,
      prompt: "from a comment",
      sourceChannel: "issue_comment",
      targetRef: "main",
      initiator: { kind: "github", login: "octocat", id: 1 },
      deliveryId: "guid-done",
    })
    await finishDelivery(stack.db, "guid-done", "failed", "comment reply failed")
    github.deliveries.set("guid-done", 654321)
    const again = await api("/api/deliveries/guid-done/replay", { method: "POST", token: ADMIN })
    expect(again.status).toBe(200)
    expect(again.body).toMatchObject({ replayed: false, promptRequestId: promptRequest.id })
    expect(github.redelivered).toEqual([123456])

    const processed = await api("/api/deliveries/list-0/replay", { method: "POST", token: ADMIN })
    expect(processed.status).toBe(409)
    expect(
      (await api("/api/deliveries/nope/replay", { method: "POST", token: ADMIN })).status,
    ).toBe(404)
  })
})

describe("the API's shapes", () => {
  it("answers decode with the Schemas the server and the dashboard share", async () => {
    const started = await api("/api/prompts", {
      method: "POST",
      body: JSON.stringify({ repository: "acme/widgets", prompt: "Decode my answers" }),
    })
    const { runId } = decodeSyncWith(Api.StartedRun, "POST /api/prompts")(started.body)
    // The demo agent's first events arrive at once; its patch set only after a minute.
    await expect
      .poll(async () => (await api(`/api/runs/${runId}`)).body.events.length, { timeout: 15_000 })
      .toBeGreaterThan(1)
    const patch = await insertDemoPatchSet(runId)
    const shapes = {
      "/api/session": Api.SessionInfo,
      "/api/control": Api.ControlState,
      "/api/runs?limit=5": Api.RunPage,
      [`/api/run-summaries?ids=${runId}`]: Api.RunSummaries,
      [`/api/runs/${runId}`]: Api.RunDetail,
      [`/api/runs/${runId}/earlier-events?before=2`]: Api.EarlierEvents,
      [`/api/runs/${runId}/provenance`]: Api.ProvenanceGraph,
      [`/api/runs/${runId}/patch-sets/${patch.id}/diff`]: Api.DiffAnswer,
      [`/api/runs/${runId}/usage`]: Api.RunUsage,
      [`/api/runs/${runId}/rounds`]: Api.RunRounds,
      [`/api/runs/${runId}/context`]: Api.RunContextAnswer,
      "/api/usage": Api.UsageReport,
      "/api/repositories": Api.RepositoriesAnswer,
      [`/api/repositories/${repositoryId}/policy`]: Api.PolicyAnswer,
      "/api/deliveries": Api.DeliveryPage,
      "/api/runs/00000000-0000-4000-8000-000000000000": Api.ApiErrorBody,
    }
    const misfits: string[] = []
    const check = (source: string, shape: Parameters<typeof decodeSyncWith>[0], body: unknown) => {
      try {
        decodeSyncWith(shape, source, { excess: "ignore" })(body)
      } catch (error) {
        misfits.push(error instanceof DecodeError ? error.message : String(error))
      }
    }
    for (const [path, shape] of Object.entries(shapes))
      check(`GET ${path}`, shape, (await api(path)).body)
    const cancelled = await api(`/api/runs/${runId}/cancel`, { method: "POST", body: "{}" })
    check("POST cancel", Api.RunActionAnswer, cancelled.body)
    expect(misfits).toEqual([])
  }, 30_000)
})

describe("10,000 runs", () => {
  it("pages stay fast at any depth, filtered or not", async () => {
    await stack.db.execute(sql`
      WITH req AS (
        INSERT INTO prompt_requests (repository_id, prompt, source_channel, target_ref, initiator)
        SELECT ${repositoryId}, 'bulk ' || g, 'app', 'main', '{"kind":"dashboard","userId":"x","name":"x"}'::jsonb
        FROM generate_series(1, 10000) g
        RETURNING id
      )
      INSERT INTO workflow_runs (prompt_request_id, repository_id, state, created_at)
      SELECT id, ${repositoryId},
        (ARRAY['queued','decided','failed','cancelled','decided'])[1 + floor(random() * 5)::int]::workflow_run_state,
        now() - random() * interval '90 days'
      FROM req`)
    await stack.db.execute(sql`ANALYZE workflow_runs`)
    let cursor = ""
    let slowest = 0
    let pages = 0
    for (; pages < 40; pages++) {
      const page = await timed(`/api/runs?limit=200${cursor ? `&cursor=${cursor}` : ""}`)
      slowest = Math.max(slowest, page.ms)
      if (page.body.nextCursor === null) break
      cursor = page.body.nextCursor
    }
    expect(pages).toBeGreaterThanOrEqual(40) // 8,000 runs deep
    const deep = await timed(`/api/runs?limit=50&cursor=${cursor}`)
    const filtered = await timed(
      `/api/runs?limit=50&state=failed&repo=acme/widgets&cursor=${cursor}`,
    )
    const summaries = await timed(
      `/api/run-summaries?ids=${deep.body.runs.map((r: { id: string }) => r.id).join(",")}`,
    )
    expect(deep.body.runs).toHaveLength(50)
    expect(filtered.body.runs.every((r: { state: string }) => r.state === "failed")).toBe(true)
    expect(summaries.body.summaries).toHaveLength(50)
    // Generous bounds for a loaded CI machine; typical figures are a few ms.
    expect(slowest).toBeLessThan(500)
    expect(deep.ms).toBeLessThan(200)
    expect(filtered.ms).toBeLessThan(200)
    expect(summaries.ms).toBeLessThan(200)
    console.log(
      `10k runs: slowest page of 200 ${slowest.toFixed(1)} ms, deep page ${deep.ms.toFixed(1)} ms, filtered ${filtered.ms.toFixed(1)} ms, summaries ${summaries.ms.toFixed(1)} ms`,
    )
  }, 60_000)
})
