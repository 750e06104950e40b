// The dashboard with WorkOS sign-in (its API answered by a loopback fake) and
// a GitHub App (a loopback fake GitHub serving the diff), in real Chromium:
// a reviewer signs in, starts a run from the prompt form, watches it, reads
// the diff in Monaco with the reviewers' findings on their lines, and
// approves; a viewer sees no controls, and a cancel forged from a viewer's
// session is refused with 403; sessions refresh and sign out; the provenance
// graph stays readable with 50+ nodes.
import {
  type Database,
  findRunPatchSet,
  getWorkflowRun,
  insertPatchSet,
  insertPromptRequest,
  insertRuntimeSession,
  insertWorkflowRun,
  recordReviewsAndDecision,
} from "@patchplane/db"
import type { BrowserContext, Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ensureBuilt } from "../build.ts"
import { WAKE_TOPIC } from "../../app/src/orchestration/run-workflow.ts"
import { ARTIFACTS, launchBrowser, type TestBrowser } from "./browser.ts"
import { BASE_SHA, DEMO_DIFF, DEMO_FILES, demoSteps, HEAD_SHA } from "./demo-steps.ts"
import { type FakeGitHub, startFakeGitHub } from "./fake-github.ts"
import { type FakeWorkOS, startFakeWorkOS } from "./fake-workos.ts"
import {
  connectRepository,
  type DashboardStack,
  githubConfig,
  startDashboardStack,
} from "./stack.ts"

let stack: DashboardStack
let browser: TestBrowser
let workos: FakeWorkOS
let github: FakeGitHub
let repositoryId: string

beforeAll(async () => {
  // A fresh clone builds the dashboard once (concurrent test files share the build).
  await ensureBuilt()
  ;[workos, github, browser] = await Promise.all([
    startFakeWorkOS(),
    startFakeGitHub(),
    launchBrowser(),
  ])
  github.diffs.set(`acme/widgets:${BASE_SHA}...${HEAD_SHA}`, DEMO_DIFF)
  stack = await startDashboardStack({
    steps: (db) => demoSteps(db, { agentMs: 1_500 }),
    config: async (dir) => ({
      workos: {
        clientId: workos.clientId,
        apiKey: "sk_test_fake_key",
        cookiePassword: "a-cookie-password-of-at-least-32-characters",
        apiUrl: workos.url,
      },
      github: await githubConfig(dir, github.url),
    }),
  })
  repositoryId = (await connectRepository(stack.db, "acme/widgets", 900)).id
}, 400_000)
afterAll(async () => {
  await browser?.close()
  await stack?.stop()
  await workos?.close()
  await github?.close()
})

const open = async (page: Page, path: string) => {
  for (let attempt = 0; ; attempt++) {
    const response = await page.goto(`${stack.url}${path}`)
    if (response?.status() !== 503 || attempt > 150) return response
    await page.waitForTimeout(1_000)
  }
}

/** A browser session signed in through the WorkOS flow as someone with this role slug. */
const signIn = async (
  role: string,
  name: string,
): Promise<{ context: BrowserContext; page: Page }> => {
  const context = await browser.context()
  const page = await browser.page(context)
  workos.signInAs({ email: `${name.toLowerCase()}@example.com`, firstName: name, role })
  await open(page, "/")
  await page.getByRole("link", { name: "Sign in with WorkOS" }).click()
  await page.locator(".whoami").getByText(name).waitFor()
  return { context, page }
}

const waitForState = async (db: Database, runId: string, state: string) => {
  const deadline = Date.now() + 20_000
  for (;;) {
    const run = await getWorkflowRun(db, runId)
    if (run?.state === state) return run
    if (Date.now() > deadline) throw new Error(`run is ${run?.state}, expected ${state}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe("dashboard with WorkOS sign-in", () => {
  it("a reviewer starts, watches, reviews and approves a run; a viewer only watches", async () => {
    const { page } = await signIn("reviewer", "Rita")
    expect(await page.locator(".whoami").textContent()).toContain("reviewer")
    // Reviewers have no kill switch (admins only).
    expect(await page.getByRole("button", { name: "Pause all runs" }).count()).toBe(0)

    await page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "New run" })
      .click()
    await page.getByLabel("Prompt").fill("Make greet() polite")
    await page.getByRole("button", { name: "Start run" }).click()
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/)
    const runId = page.url().split("/").pop() ?? ""
    await page.getByTestId("timeline").getByText("Reading src/greet.ts").waitFor()
    await waitForState(stack.db, runId, "reviewing")

    // The companion Action's results arrive: a failing lint finding, manual review.
    const patch = await findRunPatchSet(stack.db, runId)
    await recordReviewsAndDecision(stack.db, {
      workflowRunId: runId,
      patchSetId: patch!.id,
      actor: "ci",
      reviews: [
        {
          reviewer: "lint",
          passed: false,
          score: 0.4,
          comments: "1 error",
          findings: [
            {
              file: "src/greet.ts",
              line: 3,
              severity: "error",
              message: "Prefer one quoting style",
              rule: "quotes",
            },
          ],
        },
        { reviewer: "tests", passed: true, score: 1, comments: "3 passed", findings: [] },
      ],
      decide: () => ({
        weightedScore: 0.64,
        state: "manual-review",
        criteria: [{ criterion: "weighted-score", passed: false, detail: "0.64 < pass score 0.8" }],
        decidedBy: "policy",
      }),
    })
    await stack.app.engine.send(runId, WAKE_TOPIC, { reason: "test review results" })
    await page.locator('article[data-run-state="awaiting_approval"]').waitFor({ timeout: 10_000 })
    await page.getByTestId("decision").getByText("manual-review").waitFor()

    // A finding opens the diff in Monaco at its line.
    await page.getByRole("button", { name: "src/greet.ts:3" }).click()
    const diff = page.getByTestId("monaco-diff")
    await diff.locator(".monaco-diff-editor").waitFor({ timeout: 15_000 })
    await diff.getByText("const who").first().waitFor()
    await diff.locator(".finding-line").first().waitFor()
    expect(github.calls).toContain(`GET /repos/acme/widgets/compare/${BASE_SHA}...${HEAD_SHA}`)
    await browser.screenshot(page, "workos-run-page-diff")

    // A viewer sees everything and no control; a forged cancel is refused.
    const viewer = await signIn("member", "Vera")
    expect(await viewer.page.locator(".whoami").textContent()).toContain("viewer")
    await open(viewer.page, `/runs/${runId}`)
    await viewer.page.locator('article[data-run-state="awaiting_approval"]').waitFor()
    expect(await viewer.page.locator("[data-action]").count()).toBe(0)
    await browser.screenshot(viewer.page, "viewer-run-page")
    const forged = await viewer.page.evaluate(async (id) => {
      const res = await fetch(`/api/runs/${id}/cancel`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      })
      return { status: res.status, body: await res.json() }
    }, runId)
    expect(forged).toEqual({
      status: 403,
      body: {
        error: { code: "forbidden", message: "cancel needs the reviewer role; you are a viewer" },
      },
    })
    // The 403 above was the point, not a page error.
    browser.errors.splice(
      0,
      browser.errors.length,
      ...browser.errors.filter((e) => !e.includes("/cancel")),
    )

    // The reviewer approves; every open page shows it.
    await page.locator('button[data-action="approve"]').click()
    await page.getByRole("dialog").getByRole("button", { name: "Approve" }).click()
    await page.locator('article[data-run-state="decided"]').waitFor({ timeout: 2_000 })
    await viewer.page.locator('article[data-run-state="decided"]').waitFor({ timeout: 2_000 })
    await open(page, "/")
    await page.locator(`tr[data-run-id="${runId}"] [data-state="decided"]`).waitFor()
    await browser.screenshot(page, "workos-runs-list")
    expect(browser.errors).toEqual([])
  }, 90_000)

  it("refuses a sign-in without organization membership, and a callback it did not start", async () => {
    // The flow by hand: login → AuthKit → callback.
    workos.signInAs({ email: "nomad@example.com", firstName: "Nomad", role: null })
    const login = await fetch(`${stack.url}/api/auth/login?returnTo=/deliveries`, {
      redirect: "manual",
    })
    expect(login.status).toBe(302)
    const stateCookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? ""
    const authorize = await fetch(login.headers.get("location") ?? "", { redirect: "manual" })
    const callback = authorize.headers.get("location") ?? ""
    const forged = await fetch(callback, {
      redirect: "manual",
      headers: { cookie: "patchplane_auth_state=someone-else.Lw" },
    })
    expect(forged.status).toBe(400)
    const done = await fetch(callback, { redirect: "manual", headers: { cookie: stateCookie } })
    expect(done.status).toBe(302)
    expect(done.headers.get("location")).toBe("/deliveries")
    const session = done.headers.getSetCookie().find((c) => c.startsWith("patchplane_session="))
    expect(session).toMatch(/HttpOnly; SameSite=Lax/)
    const cookie = (session ?? "").split(";")[0] ?? ""
    const me = await (await fetch(`${stack.url}/api/session`, { headers: { cookie } })).json()
    expect(me).toMatchObject({ caller: null, refusal: { code: "not_a_member" } })
    expect((await fetch(`${stack.url}/api/runs`, { headers: { cookie } })).status).toBe(403)
    // Without a cookie, nobody is the local operator once WorkOS is configured.
    expect((await fetch(`${stack.url}/api/runs`)).status).toBe(401)
  })

  it("refreshes an expired session and signs out", async () => {
    workos.accessTokenSeconds = 1
    const exchanges = () =>
      workos.calls.filter((c) => c === "POST /user_management/authenticate").length
    const { page } = await signIn("admin", "Ada")
    const before = exchanges()
    workos.accessTokenSeconds = 300
    // The access token expires; the page's own polling and the reload share one refresh.
    await page.waitForTimeout(2_500)
    await page.reload()
    await page.locator(".whoami").getByText("Ada").waitFor()
    expect(exchanges()).toBe(before + 1)
    await page.getByRole("button", { name: "Pause all runs" }).waitFor()
    await page.getByRole("button", { name: "Sign out" }).click()
    await page.getByRole("link", { name: "Sign in with WorkOS" }).waitFor()
    expect(workos.calls).toContain("GET /user_management/sessions/logout")
    const api = await page.evaluate(async () => (await fetch("/api/runs")).status)
    expect(api).toBe(401)
  }, 60_000)

  it("draws a provenance graph of 50+ nodes readably", async () => {
    const db = stack.db
    const request = await insertPromptRequest(db, {
      repositoryId,
      prompt: "Refactor the greeting module",
      sourceChannel: "issue_comment",
      targetRef: "main",
      initiator: { kind: "github", login: "octocat", id: 1 },
      initiatorLogin: "octocat",
      issueNumber: 12,
    })
    let last = ""
    for (let attempt = 0; attempt < 4; attempt++) {
      const run = await insertWorkflowRun(
        db,
        { promptRequestId: request.id, repositoryId },
        "octocat",
      )
      last = run.id
      const session = await insertRuntimeSession(db, {
        workflowRunId: run.id,
        adapter: "pi",
        approvalPolicy: "escalate",
        sandboxPolicy: "none",
        timeoutSeconds: 3600,
      })
      for (let p = 0; p < 2; p++) {
        const patch = await insertPatchSet(db, {
          workflowRunId: run.id,
          runtimeSessionId: session.id,
          branch: `patchplane/${run.id}`,
          files: DEMO_FILES,
          diffSummary: { filesChanged: 2, additions: 3, deletions: 1 },
        })
        await recordReviewsAndDecision(db, {
          workflowRunId: run.id,
          patchSetId: patch.id,
          actor: "ci",
          reviews: (["lint", "tests", "security", "quality"] as const).map((reviewer) => ({
            reviewer,
            passed: true,
            score: 0.9,
            comments: "",
            findings: [],
          })),
          decide: () => ({
            weightedScore: 0.9,
            state: "ready-for-review",
            criteria: [],
            decidedBy: "policy",
          }),
        })
      }
    }
    const { page } = await signIn("viewer", "Vic")
    await open(page, `/runs/${last}`)
    const graph = page.getByTestId("provenance-graph")
    await graph.scrollIntoViewIfNeeded()
    await graph.locator(".react-flow__node").first().waitFor()
    const count = await graph.locator(".react-flow__node").count()
    expect(count).toBeGreaterThanOrEqual(50)
    // Opens on the current run at a readable zoom.
    const scale = await graph
      .locator(".react-flow__viewport")
      .evaluate((el) => new DOMMatrixReadOnly(getComputedStyle(el).transform).a)
    expect(scale).toBeGreaterThanOrEqual(0.5)
    await graph.getByText(`Run ${last.slice(0, 8)}`).waitFor()
    await graph.screenshot({ path: `${ARTIFACTS}/provenance-graph.png` })
  }, 60_000)
})
