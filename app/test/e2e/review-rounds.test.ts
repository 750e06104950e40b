// Review iterations on a PatchPlane PR, the whole loop: a writer's
// changes-requested review starts a follow-up round on the same branch whose
// model was given the review (body, inline comment with its diff hunk) and
// whose commit answers it, linked to the first run by an `iterates` edge;
// reviews from readers start nothing; past iterate.maxRounds (2 here, from
// the repository's own policy) the chain stops with a manual-review decision
// and the reason, on the PR and in the status comment, with no model call.
import {
  getRunContext,
  getWorkflowRun,
  latestMergeDecision,
  lineageOf,
  roundChain,
} from "@patchplane/db"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { REPOSITORY } from "../../dev/local-world.ts"
import { callTools, say, toolCall } from "../../dev/scripted-model/model-scripts.ts"
import { launchBrowser } from "../../../dashboard/test/browser.ts"
import { contentText } from "../../dev/scripted-model/scripted-model-server.ts"
import { type Loop, startLoop } from "./harness.ts"

let loop: Loop

beforeAll(async () => {
  loop = await startLoop("rounds")
  await loop.world.github.commitFiles(REPOSITORY, {
    branch: "main",
    message: "PatchPlane policy: two rounds at most",
    files: { ".github/patchplane.yml": "iterate:\n  maxRounds: 2\n" },
  })
}, 120_000)

afterAll(async () => {
  await loop?.stop()
})

const delivery = async (id: string) =>
  (
    await loop.db.pool.query<{ outcome: string; error: string | null }>(
      "SELECT outcome, error FROM webhook_deliveries WHERE delivery_id = $1",
      [id],
    )
  ).rows[0]

describe("review rounds", () => {
  it("answers a writer's review on the same branch, then stops at iterate.maxRounds", async () => {
    const { world, db } = loop
    const github = world.github
    github.setPermission(REPOSITORY, "rita", "write")
    github.setPermission(REPOSITORY, "rex", "read")

    const sent = await world.request("add a CONTRIBUTING.md")
    const first = await loop.runOn(sent.issueNumber, (r) => r.pullRequestNumber !== null, "round 1")
    const pr = first.pullRequestNumber ?? 0
    const before = await github.pullRequest(REPOSITORY, pr)

    // A reader's review starts nothing.
    const fromReader = await world.submitReview(pr, {
      user: "rex",
      state: "CHANGES_REQUESTED",
      body: "I would rather not.",
    })
    expect(await delivery(fromReader.deliveryId)).toMatchObject({ outcome: "ignored" })

    // A writer's review: round 2 on the same branch, answering it.
    world.model.enqueue(
      callTools(
        toolCall(
          "edit",
          {
            path: "CONTRIBUTING.md",
            edits: [
              {
                oldText: "2. `npm test` runs the tests; keep them green.",
                newText:
                  "2. `npm test` runs the tests and `npm run lint` the linter; keep both green.",
              },
            ],
          },
          "call_answer",
        ),
      ),
      say("Mentioned the linter next to the tests."),
    )
    const served = world.model.requests.length
    const review = await world.submitReview(pr, {
      user: "rita",
      state: "CHANGES_REQUESTED",
      body: "Say how to run the linter too.",
      comments: [{ path: "CONTRIBUTING.md", line: 4, body: "Mention `npm run lint` here." }],
    })
    expect(review.status).toBe(200)
    const second = await loop.runOn(
      pr,
      (r) => r.pullRequestNumber === pr && r.state === "reviewing",
      "round 2 published",
    )
    expect(second.id).not.toBe(first.id)
    const after = await github.pullRequest(REPOSITORY, pr)
    expect(after.head.ref).toBe(before.head.ref)
    expect(after.head.sha).not.toBe(before.head.sha)
    const file = await world.rest(
      `/repos/${REPOSITORY}/contents/CONTRIBUTING.md?ref=${after.head.sha}`,
    )
    expect(Buffer.from(String(file.content), "base64").toString()).toContain("`npm run lint`")

    // What the model was given: the review and its inline comment with the hunk, as data.
    const given = contentText(
      (world.model.requests[served]?.body.messages ?? []).find((m) => m.role === "user")?.content,
    )
    expect(given).toContain(`Address the changes @rita requested in review ${review.reviewId}`)
    expect(given).toMatch(
      /\[Review by @rita \(changes requested\) at [^\]]+\]\n> Say how to run the linter too\./,
    )
    expect(given).toContain("[Review comment by @rita on CONTRIBUTING.md:4 at ")
    expect(given).toContain("> +2. `npm test` runs the tests; keep them green.")
    expect(given).toContain("> Mention `npm run lint` here.")
    expect(given.indexOf("=== END GITHUB CONTEXT ===")).toBeLessThan(
      given.indexOf("Instruction from @rita:"),
    )

    // What the PR changed so far, as data: its files and diff, and its commit messages.
    const commits = (await world.rest(
      `/repos/${REPOSITORY}/pulls/${pr}/commits`,
    )) as unknown as ReadonlyArray<{ commit: { message: string } }>
    const firstLine = commits[0]?.commit.message.split("\n")[0] ?? ""
    expect(firstLine).not.toBe("")
    const stored = (await getRunContext(db.db, second.id))?.prompt ?? ""
    expect(given).toContain(stored)
    const end = stored.indexOf("=== END GITHUB CONTEXT ===")
    const changes = stored.indexOf(
      `[Changes of ${REPOSITORY}#${pr}: 1 file(s)]\n> added CONTRIBUTING.md (+`,
    )
    expect(changes).toBeGreaterThan(stored.indexOf("=== BEGIN GITHUB CONTEXT"))
    expect(changes).toBeLessThan(end)
    expect(stored).toContain("> +++ b/CONTRIBUTING.md\n> @@ ")
    const commitsAt = stored.indexOf(`[Commits of ${REPOSITORY}#${pr}, oldest first]`)
    expect(commitsAt).toBeGreaterThan(changes)
    expect(stored.indexOf(`> ${firstLine}`, commitsAt)).toBeGreaterThan(commitsAt)
    expect(stored.indexOf(`> ${firstLine}`, commitsAt)).toBeLessThan(end)

    expect(await roundChain(db.db, second.id)).toEqual([first.id, second.id])
    const edges = await lineageOf(db.db, { kind: "workflow_run", id: second.id })
    expect(edges.find((e) => e.relation === "iterates")).toMatchObject({
      fromId: first.id,
      toId: second.id,
      data: { round: 2, trigger: "review", reviewer: "rita" },
    })

    // A third round would pass iterate.maxRounds: the chain stops, no model call.
    const calls = world.model.requests.length
    const third = await world.submitReview(pr, {
      user: "rita",
      state: "CHANGES_REQUESTED",
      body: "And the code of conduct.",
    })
    expect(await delivery(third.deliveryId)).toMatchObject({ outcome: "processed" })
    const parked = await loop.runOn(pr, (r) => r.state === "awaiting_approval", "the stop")
    expect(parked.id).toBe(second.id)
    const decision = await latestMergeDecision(db.db, second.id)
    expect(decision).toMatchObject({ state: "manual-review", decidedBy: "iteration" })
    expect(decision?.criteria.at(-1)?.detail).toBe(
      "stopped iterating: round 2 of iterate.maxRounds 2 was the last",
    )
    const said = github
      .issueComments(REPOSITORY, pr)
      .map((c) => c.body)
      .find((body) => body.startsWith("PatchPlane stopped iterating"))
    expect(said).toContain("round 2 of iterate.maxRounds 2 was the last")
    await loop.until("the status comment saying the chain stopped", async () =>
      github
        .issueComments(REPOSITORY, pr)
        .some(
          (c) =>
            c.id === parked.statusCommentId &&
            c.body.includes("🔁 stopped iterating: round 2 of iterate.maxRounds 2 was the last"),
        )
        ? true
        : undefined,
    )
    expect(world.model.requests.length).toBe(calls)

    // The run page shows the rounds as one chain.
    const browser = await launchBrowser()
    try {
      const page = await browser.page()
      await page.goto(loop.signIn(`/runs/${second.id}`))
      const rounds = page.getByTestId("rounds")
      await rounds.getByText("Round 2:").waitFor({ timeout: 60_000 })
      await rounds.getByRole("link", { name: first.id.slice(0, 8) }).waitFor()
      expect(await rounds.locator("li").count()).toBe(2)
      await browser.screenshot(page, "e2e-review-rounds")
    } finally {
      await browser.close()
    }
  }, 300_000)

  it("lets an operator stop the rounds from the run page: a writer's review then starts nothing", async () => {
    const { world, db } = loop
    const github = world.github
    github.setPermission(REPOSITORY, "rita", "write")
    const sent = await world.request("add a SECURITY.md")
    const run = await loop.runOn(
      sent.issueNumber,
      (r) => r.pullRequestNumber !== null && r.state === "reviewing",
      "the PR under review",
    )
    const pr = run.pullRequestNumber ?? 0

    const browser = await launchBrowser()
    try {
      const page = await browser.page()
      await page.goto(loop.signIn(`/runs/${run.id}`))
      const rounds = page.getByTestId("rounds")
      await rounds.locator('button[data-action="stop-rounds"]').click()
      const dialog = page.getByRole("dialog")
      await dialog.getByRole("button", { name: "Stop the rounds" }).click()
      await rounds
        .getByTestId("rounds-stopped")
        .getByText("Stopped by local operator")
        .waitFor({ timeout: 30_000 })
      expect(await rounds.locator('button[data-action="stop-rounds"]').count()).toBe(0)
      await browser.screenshot(page, "e2e-rounds-stopped")
    } finally {
      await browser.close()
    }
    const decision = await latestMergeDecision(db.db, run.id)
    expect(decision).toMatchObject({ state: "manual-review", decidedBy: "iteration" })
    expect(decision?.criteria.at(-1)?.detail).toBe("stopped iterating: stopped by local operator")
    await loop.until("the stopped round waiting for a human", async () =>
      (await getWorkflowRun(db.db, run.id))?.state === "awaiting_approval" ? true : undefined,
    )

    // A writer's review that would start round 2 starts nothing now.
    const calls = world.model.requests.length
    const review = await world.submitReview(pr, {
      user: "rita",
      state: "CHANGES_REQUESTED",
      body: "Mention the disclosure address.",
    })
    expect(await delivery(review.deliveryId)).toMatchObject({ outcome: "ignored" })
    const onPr = await db.pool.query<{ id: string }>(
      "SELECT id FROM workflow_runs WHERE pull_request_number = $1",
      [pr],
    )
    expect(onPr.rows.map((r) => r.id)).toEqual([run.id])
    expect(await roundChain(db.db, run.id)).toEqual([run.id])
    expect(world.model.requests.length).toBe(calls)
  }, 300_000)
})
