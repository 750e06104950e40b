// The whole loop as one system, every part real except the SaaS hosts: a
// signed `issue_comment.created` → PromptRequest → WorkflowRun → local bwrap
// sandbox → the real Pi agent, driven by the scripted model through the model
// gateway → PatchSet → branch pushed over git's smart HTTP to the GitHub
// stand-in → draft PR → the companion Action's bundle run on that branch with
// OIDC → ReviewRuns → MergeDecision → check run, PR and status comment updated
// → the dashboard in Chromium shows the run with its diff and graph.
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import {
  getRepositoryByFullName,
  latestMergeDecision,
  latestRunForIssue,
  listReviewRuns,
  lineageOf,
  listPatchSets,
  type WorkflowRunRow,
} from "@patchplane/db"
import { createTestDatabase, type TestDatabase } from "@patchplane/db/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type LocalWorld, MAINTAINER, REPOSITORY, startLocalWorld } from "../../dev/local-world.ts"
import { type RunningPatchPlane, startPatchPlane } from "../../src/server/start.ts"
import { launchBrowser, type TestBrowser } from "../../../dashboard/test/browser.ts"

let db: TestDatabase
let dir: string
let world: LocalWorld
let app: RunningPatchPlane
let url: string

beforeAll(async () => {
  db = await createTestDatabase("e2e")
  dir = await mkdtemp(join(tmpdir(), "pp-e2e-"))
  world = await startLocalWorld({
    dir,
    databaseUrl: db.url,
    logLevel: "silent",
    config: { orchestration: { pollingIntervalMs: 20, reviewTimeoutSeconds: 120 } },
  })
  app = await startPatchPlane({ cwd: dir, env: { DATABASE_URL: db.url } })
  url = app.url ?? ""
  await world.connect(url)
}, 120_000)

afterAll(async () => {
  await app?.stop()
  await world?.close()
  await db?.drop()
  await rm(dir, { recursive: true, force: true })
})

const until = async <A>(what: string, probe: () => Promise<A | undefined>, ms = 90_000) => {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

const runOf = async (issueNumber: number) => {
  const repo = await getRepositoryByFullName(db.db, REPOSITORY)
  return until("the run", async () =>
    repo === undefined ? undefined : (await latestRunForIssue(db.db, repo.id, issueNumber))?.run,
  )
}

const inState = (issueNumber: number, states: ReadonlyArray<string>) =>
  until(`a run in ${states.join("/")}`, async () => {
    const run: WorkflowRunRow = await runOf(issueNumber)
    if (["failed", "timed_out", "cancelled"].includes(run.state) && !states.includes(run.state))
      throw new Error(`the run ended ${run.state}: ${run.reason}`)
    return states.includes(run.state) ? run : undefined
  })

describe("the whole loop", () => {
  it("turns a /patchplane comment into a reviewed draft PR, shown in the dashboard", async () => {
    const sent = await world.request("add a CONTRIBUTING.md that explains how to run the tests")
    expect(sent.status).toBe(200)
    const run = await runOf(sent.issueNumber)

    // Published: a draft PR from patchplane/<run-id> to main, with the check on its head.
    const published = await until("the draft PR", async () => {
      const row = await runOf(sent.issueNumber)
      return row.pullRequestNumber === null ? undefined : row
    })
    const prNumber = published.pullRequestNumber ?? 0
    const pr = await world.github.pullRequest(REPOSITORY, prNumber)
    expect(pr).toMatchObject({
      draft: true,
      title: "add a CONTRIBUTING.md that explains how to run the tests",
      head: { ref: `patchplane/${run.id}` },
      base: { ref: "main" },
    })
    expect(pr.body).toContain(`Requested by @${MAINTAINER} in #${sent.issueNumber}`)
    expect(pr.body).toContain(`WorkflowRun \`${run.id}\``)
    expect(pr.body).toContain("`CONTRIBUTING.md`")
    const [patchSet] = await listPatchSets(db.db, run.id)
    expect(pr.head.sha).toBe(patchSet?.headSha)
    const check = world.github
      .checkRuns(REPOSITORY)
      .find((c) => c.headSha === pr.head.sha && c.name === "PatchPlane")
    expect(check).toMatchObject({ status: "in_progress", externalId: run.id })

    // The target repository's CI: the companion Action reviews the PR head and reports.
    const review = await world.review(prNumber, url)
    expect(review.stderr).toBe("")
    expect(review.code).toBe(0)
    expect(review.headSha).toBe(pr.head.sha)

    const decided = await inState(sent.issueNumber, ["decided"])
    expect(decided.reason).toBe("decision: ready-for-review")
    const decision = await latestMergeDecision(db.db, run.id)
    expect(decision).toMatchObject({ state: "ready-for-review", pullRequestNumber: prNumber })
    const reviews = await listReviewRuns(db.db, patchSet?.id ?? "")
    expect(reviews.map((r) => r.reviewer)).toEqual(["lint", "quality", "security", "tests"])

    // On GitHub: ready for review (via GraphQL), a successful check with the score
    // table, and the one status comment edited to show the PR and the decision.
    await until("the PR marked ready", async () =>
      (await world.github.pullRequest(REPOSITORY, prNumber)).draft ? undefined : true,
    )
    const finished = await until("the completed check", async () => {
      const c = world.github.checkRuns(REPOSITORY).find((x) => x.id === check?.id)
      return c?.status === "completed" ? c : undefined
    })
    expect(finished.conclusion).toBe("success")
    expect(finished.output?.summary).toContain("| Reviewer | Result | Score | Findings |")
    const comments = world.github.issueComments(REPOSITORY, sent.issueNumber)
    const bot = comments.filter((c) => c.user.login !== MAINTAINER)
    expect(bot).toHaveLength(1)
    await until("the status comment's last edit", async () => {
      const body =
        world.github.issueComments(REPOSITORY, sent.issueNumber).find((c) => c.id === bot[0]?.id)
          ?.body ?? ""
      return body.includes("Decision: `ready-for-review`") ? body : undefined
    })
    const status = world.github
      .issueComments(REPOSITORY, sent.issueNumber)
      .find((c) => c.id === bot[0]?.id)
    expect(status?.body).toContain(`Pull request: [#${prNumber}]`)
    expect(status?.body).toContain("- [x] Decision recorded")
    // No writes were repeated: one PR, one comment, one check on the head.
    expect(world.github.requestsMatching("POST", /^\/repos\/acme\/widgets\/pulls$/)).toHaveLength(1)
    expect(world.github.requestsMatching("POST", /\/issues\/\d+\/comments$/)).toHaveLength(1)
    expect(world.github.requestsMatching("POST", /\/check-runs$/)).toHaveLength(1)

    // Provenance: request → run → session → patch set → reviews → decision.
    const kinds = new Set(
      (await lineageOf(db.db, { kind: "workflow_run", id: run.id })).flatMap((e) => [
        e.fromKind,
        e.toKind,
      ]),
    )
    expect([...kinds].toSorted()).toEqual(
      [
        "merge_decision",
        "patch_set",
        "prompt_request",
        "review_run",
        "runtime_session",
        "workflow_run",
      ].toSorted(),
    )

    // The dashboard, in a real browser: the run, its diff (from the pushed branch) and graph.
    const browser: TestBrowser = await launchBrowser()
    try {
      const page = await browser.page()
      await page.goto(`${url}/runs/${run.id}`)
      await page.locator('article[data-run-state="decided"]').waitFor({ timeout: 60_000 })
      await page.getByTestId("decision").getByText("ready-for-review", { exact: true }).waitFor()
      await page
        .getByRole("button", { name: /CONTRIBUTING\.md/ })
        .first()
        .click()
      await page.getByTestId("monaco-diff").waitFor()
      await page
        .getByTestId("monaco-diff")
        .getByText("Contributing to widgets")
        .first()
        .waitFor({ timeout: 30_000 })
      await page.getByTestId("provenance-graph").waitFor()
      await browser.screenshot(page, "e2e-full-loop")
      expect(
        browser.requests.every(
          (r) => r.startsWith(url) || r.startsWith("data:") || r.startsWith("blob:"),
        ),
      ).toBe(true)
    } finally {
      await browser.close()
    }
  }, 240_000)
})
