// What real GitHub refuses on PatchPlane's main path, and how PatchPlane
// copes, end to end against the stand-in (which refuses as GitHub does) with
// Octokit's throttling on, as deployed: the repository is private on GitHub
// Free (no draft PRs) and the agent changes a workflow file (GitHub refuses
// that push without the `workflows` permission). A run whose every push GitHub
// refuses fails, and the dashboard still shows its diff, stored with its
// PatchSet: GitHub has no branch to compare.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { LocalWorld } from "../../dev/local-world.ts"
import { REPOSITORY } from "../../dev/local-world.ts"
import { secondaryRateLimit } from "../../dev/github-stand-in/index.ts"
import { callTools, say, toolCall } from "../../dev/scripted-model/model-scripts.ts"
import { type Loop, startLoop } from "./harness.ts"

let loop: Loop
let world: LocalWorld

beforeAll(async () => {
  loop = await startLoop("refusals", { plan: "free" })
  world = loop.world
}, 120_000)

afterAll(async () => {
  await loop?.stop()
})

const writeFile = (path: string, content: string) => [
  callTools(toolCall("write", { path, content }, "call_write")),
  say(`Wrote ${path}.`),
]

describe("GitHub's refusals", () => {
  it("pushes a workflow change with a workflows token, opens a ready PR where drafts are unavailable, asks a human, and an approval adds a new successful check run", async () => {
    const sent = await world.request("add a CI workflow", {
      script: writeFile(".github/workflows/ci.yml", "on: push\njobs: {}\n"),
    })
    const run = await loop.runOn(
      sent.issueNumber,
      (r) => r.pullRequestNumber !== null,
      "the published run",
    )
    const number = run.pullRequestNumber ?? 0

    // The push token carried `workflows: write`; only that push asked for it.
    const mints = world.github
      .requestsMatching("POST", /^\/app\/installations\/\d+\/access_tokens$/)
      .map((r) => (r.body as { permissions?: Record<string, string> } | null)?.permissions)
    expect(mints.filter((p) => p?.workflows === "write")).toHaveLength(1)
    const pr = await world.github.pullRequest(REPOSITORY, number)
    const compare = await world.rest(`/repos/${REPOSITORY}/compare/main...${pr.head.sha}`)
    expect((compare.files as Array<{ filename: string }>).map((f) => f.filename)).toEqual([
      ".github/workflows/ci.yml",
    ])

    // GitHub refused the draft once; the PR opened ready, and says why.
    const creates = world.github.requestsMatching("POST", /^\/repos\/acme\/widgets\/pulls$/)
    expect(creates.map((r) => r.status)).toEqual([422, 201])
    expect(pr.draft).toBe(false)
    expect(pr.body).toContain("Draft pull requests are not available in this repository")

    // A workflow change is high risk: the policy asks a human.
    const review = await world.review(number, loop.url)
    expect(review.stderr).toBe("")
    const waiting = await loop.runOn(
      sent.issueNumber,
      (r) => r.state === "awaiting_approval",
      "manual review",
    )
    expect(waiting.reason).toBe("decision: manual-review")
    const criteria = await loop.db.pool.query(
      "SELECT criteria FROM merge_decisions WHERE workflow_run_id = $1 ORDER BY created_at DESC LIMIT 1",
      [run.id],
    )
    expect(criteria.rows[0]?.criteria).toContainEqual({
      criterion: "workflow-changes",
      passed: false,
      detail: "need manual review: .github/workflows/ci.yml",
    })
    const onHead = () =>
      world.github
        .checkRuns(REPOSITORY)
        .filter((c) => c.headSha === pr.head.sha && c.externalId === run.id)
    await loop.until("the check asking for a human", async () =>
      onHead().some((c) => c.conclusion === "action_required") ? true : undefined,
    )
    const statusComment = await loop.until("the status comment's note", async () =>
      world.github
        .issueComments(REPOSITORY, sent.issueNumber)
        .find((c) => c.body.includes("Draft pull requests are not available")),
    )
    expect(statusComment.body).toContain(`Pull request: [#${number}]`)

    // A human approves: the completed check cannot change, so a new one says success.
    await world.comment(sent.issueNumber, "/patchplane approve")
    await loop.runOn(sent.issueNumber, (r) => r.state === "decided", "the approval")
    const checks = await loop.until("a new successful check run", async () => {
      const runs = onHead()
      return runs.some((c) => c.conclusion === "success") ? runs : undefined
    })
    expect(checks.map((c) => c.conclusion)).toEqual(["action_required", "success"])
    const bound = await loop.db.pool.query("SELECT check_run_id FROM workflow_runs WHERE id = $1", [
      run.id,
    ])
    expect(Number(bound.rows[0]?.check_run_id)).toBe(checks[1]?.id)
    // No write GitHub would refuse was sent: every PATCH of a check run answered 200.
    expect(
      world.github
        .requestsMatching("PATCH", /^\/repos\/acme\/widgets\/check-runs\/\d+$/)
        .filter((r) => r.status !== 200),
    ).toEqual([])
  }, 240_000)

  it("waits out secondary rate limits mid-publication: one status comment, one PR, no duplicates", async () => {
    const issue = world.github.createIssue(REPOSITORY, { title: "rate limited", user: "octocat" })
    const comments = new RegExp(`^/repos/acme/widgets/issues/${issue.number}/comments$`)
    world.github.failNext({ method: "POST", path: comments, ...secondaryRateLimit("429") })
    world.github.failNext({
      method: "POST",
      path: /^\/repos\/acme\/widgets\/pulls$/,
      ...secondaryRateLimit("403-retry-after"),
    })
    const before = world.github.requestsMatching("POST", /^\/repos\/acme\/widgets\/pulls$/).length
    world.model.enqueue(...writeFile("docs/limits.md", "# Limits\n"))
    await world.comment(issue.number, "/patchplane document the limits")
    const run = await loop.runOn(
      issue.number,
      (r) => r.pullRequestNumber !== null,
      "the published run",
    )
    const creates = world.github
      .requestsMatching("POST", /^\/repos\/acme\/widgets\/pulls$/)
      .slice(before)
      .map((r) => r.status)
    // The rate limit, then the draft GitHub refuses on this plan, then the ready PR.
    expect(creates).toEqual([403, 422, 201])
    expect(world.github.requestsMatching("POST", comments).map((r) => r.status)).toEqual([429, 201])
    const mine = world.github
      .issueComments(REPOSITORY, issue.number)
      .filter((c) => c.user.type === "Bot")
    expect(mine).toHaveLength(1)
    expect(run.pullRequestNumber).not.toBeNull()
  }, 180_000)

  it("opens the PR once GitHub lists a just-pushed branch: a head-invalid 422 is retried, nothing else", async () => {
    // GitHub's branch list catches up after the push returns; until then "Create
    // a pull request" answers 422 with `head` invalid.
    world.github.setNewBranchDelay(4_000)
    try {
      const before = world.github.requestsMatching("POST", /^\/repos\/acme\/widgets\/pulls$/).length
      const sent = await world.request("add a changelog", {
        script: writeFile("CHANGELOG.md", "# Changelog\n"),
      })
      const run = await loop.runOn(
        sent.issueNumber,
        (r) => r.pullRequestNumber !== null,
        "the published run",
      )
      const creates = world.github
        .requestsMatching("POST", /^\/repos\/acme\/widgets\/pulls$/)
        .slice(before)
        .map((r) => r.status)
      // 422 (head not listed yet) at least once, then the draft this plan refuses
      // (422), then the ready PR: exactly one PR.
      expect(creates.length).toBeGreaterThanOrEqual(3)
      expect(creates).toEqual([...creates.slice(0, -1).map(() => 422), 201])
      expect(run.state).not.toBe("failed")
    } finally {
      world.github.setNewBranchDelay(0)
    }
  }, 180_000)

  // Last in the file: the armed refusals outlive a run that pushes fewer times.
  it("shows the diff of a run whose push GitHub refused, without asking GitHub", async () => {
    const pushes = () => world.github.requestsMatching("POST", /\/git-receive-pack$/)
    const compares = () => world.github.requestsMatching("GET", /\/compare\//).length
    const pushedBefore = pushes().length
    const comparedBefore = compares()
    // Each attempt of the collect step pushes again; GitHub refuses every one.
    world.github.failNext({
      method: "POST",
      path: /\/git-receive-pack$/,
      status: 403,
      times: 3,
    })
    const sent = await world.request("add a security policy", {
      script: writeFile("SECURITY.md", "# Security\n\nReport issues privately.\n"),
    })
    const failed = await loop.runOn(
      sent.issueNumber,
      (r) => r.state === "failed",
      "the run whose push was refused",
    )
    expect(failed.reason).toContain("403")
    const refused = pushes().slice(pushedBefore)
    expect(refused.length).toBeGreaterThan(0)
    expect(refused.every((r) => r.status === 403)).toBe(true)

    const get = async (path: string) => {
      const res = await fetch(`${loop.url}${path}`, { headers: loop.operator })
      expect(res.status).toBe(200)
      return (await res.json()) as Record<string, any>
    }
    const detail = await get(`/api/runs/${failed.id}`)
    // Every attempt collected the same commit: it is one PatchSet, not one per attempt.
    expect(detail.patchSets).toHaveLength(1)
    const patch = detail.patchSets[0] as { id: string }
    const diff = await get(`/api/runs/${failed.id}/patch-sets/${patch.id}/diff`)
    expect(diff).toMatchObject({ available: true, source: "stored", truncated: false })
    expect(diff.diff).toContain("+++ b/SECURITY.md")
    expect(diff.diff).toContain("+Report issues privately.")
    expect(compares()).toBe(comparedBefore)
  }, 180_000)
})
