// The whole loop as one system, every part real except the SaaS hosts: a
// signed `issue_comment.created` → PromptRequest → WorkflowRun → local bwrap
// sandbox → the real Pi agent, driven by the scripted model through the model
// gateway → PatchSet → branch pushed over git's smart HTTP to the GitHub
// stand-in → draft PR → the companion Action's bundle run on that branch with
// OIDC → ReviewRuns → MergeDecision → check run, PR and status comment updated
// → the dashboard in Chromium shows the run with its diff (stored with the
// PatchSet, not read from GitHub) and graph.
import {
  latestMergeDecision,
  lineageOf,
  listMergeDecisions,
  listPatchSets,
  listReviewRuns,
} from "@patchplane/db"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { MAINTAINER, REPOSITORY } from "../../dev/local-world.ts"
import { launchBrowser, type TestBrowser } from "../../../dashboard/test/browser.ts"
import { type Loop, startLoop } from "./harness.ts"

let loop: Loop

beforeAll(async () => {
  loop = await startLoop("e2e")
}, 120_000)

afterAll(async () => {
  await loop?.stop()
})

describe("the whole loop", () => {
  it("turns a /patchplane comment into a reviewed draft PR, shown in the dashboard", async () => {
    const { world, db, url, until } = loop
    const sent = await world.request("add a CONTRIBUTING.md that explains how to run the tests")
    expect(sent.status).toBe(200)
    // Published: a draft PR from patchplane/<run-id> to main, with the check on its head.
    const published = await loop.runOn(
      sent.issueNumber,
      (run) => run.pullRequestNumber !== null,
      "the draft PR",
    )
    const run = published
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

    const decided = await loop.runOn(sent.issueNumber, (r) => r.state === "decided", "the decision")
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

    // CI run again once the run is decided (a re-run, or a forger with a valid
    // token): refused; the decision, the check and the status comment stay.
    const again = await world.review(prNumber, url)
    expect(again.code).toBe(1)
    expect(again.stdout).toContain("run_decided")
    expect((await listMergeDecisions(db.db, run.id)).map((d) => d.state)).toEqual([
      "ready-for-review",
    ])
    const checkAfter = world.github.checkRuns(REPOSITORY).find((x) => x.id === check?.id)
    expect(checkAfter).toMatchObject({ status: "completed", conclusion: "success" })
    expect(
      world.github.issueComments(REPOSITORY, sent.issueNumber).find((c) => c.id === bot[0]?.id)
        ?.body,
    ).toBe(status?.body)

    // Provenance: request → run (→ what it saw) → session → patch set → reviews → decision.
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
        "run_context",
        "runtime_session",
        "workflow_run",
      ].toSorted(),
    )

    // The dashboard, in a real browser: the run, its diff (stored with the PatchSet) and graph.
    const compares = () => world.github.requestsMatching("GET", /\/compare\//).length
    const comparedBefore = compares()
    const browser: TestBrowser = await launchBrowser()
    try {
      const page = await browser.page()
      await page.goto(loop.signIn(`/runs/${run.id}`))
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
      expect(compares()).toBe(comparedBefore)
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
