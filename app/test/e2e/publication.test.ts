// Publication's branch rules and retries, against the GitHub stand-in with
// the live steps (real sandbox, real Pi, scripted model, real git pushes):
// a follow-up on a PatchPlane PR adds commits to it; a request on someone
// else's PR opens a new PR based on their branch; a publish step cut off
// after opening the PR finds it again instead of opening a second; and
// `/patchplane revert` on a rebase-merged PatchPlane PR opens a revert PR
// undoing all its commits, with a rollback node in the provenance graph.
import { lineageOf, type WorkflowRunRow } from "@patchplane/db"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { LocalWorld } from "../../dev/local-world.ts"
import { REPOSITORY } from "../../dev/local-world.ts"
import { callTools, say, toolCall } from "../../dev/scripted-model/model-scripts.ts"
import { type Loop, startLoop } from "./harness.ts"

let loop: Loop
let world: LocalWorld

beforeAll(async () => {
  loop = await startLoop("publication")
  world = loop.world
}, 120_000)

afterAll(async () => {
  await loop?.stop()
})

/** The newest run on an issue or PR once it has published. */
const published = (number: number): Promise<WorkflowRunRow> =>
  loop.runOn(number, (run) => run.pullRequestNumber !== null, `a published run on #${number}`)

const writeFile = (path: string, content: string) => [
  callTools(toolCall("write", { path, content }, "call_write")),
  say(`Wrote ${path}.`),
]

const pulls = () => world.github.requestsMatching("POST", /^\/repos\/acme\/widgets\/pulls$/)

describe("publication", () => {
  let first: WorkflowRunRow

  it("retries a cut-off publish step without opening a second PR", async () => {
    // Every check-run create fails past Octokit's own retries: the step fails after
    // opening the PR, and its retry must find that PR by branch.
    world.github.failNext({ method: "POST", path: /\/check-runs$/, status: 500, times: 4 })
    const sent = await world.request("add a CONTRIBUTING.md")
    first = await published(sent.issueNumber)
    expect(pulls().filter((r) => r.status === 201)).toHaveLength(1)
    expect(
      world.github.requestsMatching("GET", /^\/repos\/acme\/widgets\/pulls$/).length,
    ).toBeGreaterThanOrEqual(2)
    const checks = world.github.checkRuns(REPOSITORY).filter((c) => c.externalId === first.id)
    expect(checks).toHaveLength(1)
  }, 120_000)

  it("adds a follow-up's commits to the PatchPlane PR it was asked on", async () => {
    const pr = first.pullRequestNumber ?? 0
    const before = await world.github.pullRequest(REPOSITORY, pr)
    world.model.enqueue(...writeFile("docs/setup.md", "# Setup\n\nRun `npm ci`.\n"))
    await world.comment(pr, "/patchplane also describe the setup in docs/setup.md")
    const followUp = await published(pr)
    expect(followUp.id).not.toBe(first.id)
    expect(followUp.pullRequestNumber).toBe(pr)
    const after = await world.github.pullRequest(REPOSITORY, pr)
    expect(after.head.ref).toBe(before.head.ref) // the same branch, moved forward
    expect(after.head.sha).not.toBe(before.head.sha)
    const files = await world.rest(`/repos/${REPOSITORY}/compare/main...${after.head.sha}`)
    expect((files.files as Array<{ filename: string }>).map((f) => f.filename).toSorted()).toEqual([
      "CONTRIBUTING.md",
      "docs/setup.md",
    ])
    expect(pulls().filter((r) => r.status === 201)).toHaveLength(1) // no new PR
    // The check follows the head: a new one there, the one on the old head superseded.
    const checks = world.github.checkRuns(REPOSITORY)
    expect(checks.find((c) => c.headSha === after.head.sha)?.externalId).toBe(followUp.id)
    const intakeCheck = checks.find(
      (c) => c.headSha === before.head.sha && c.externalId === followUp.id,
    )
    expect(intakeCheck).toMatchObject({ status: "completed", conclusion: "neutral" })
  }, 120_000)

  it("never pushes to a human's branch: a request on their PR opens a PR against it", async () => {
    const sha = await world.github.commitFiles(REPOSITORY, {
      branch: "feature/colors",
      from: "main",
      files: { "src/colors.js": "export const colors = []\n" },
      message: "colors",
    })
    const human = await world.rest(`/repos/${REPOSITORY}/pulls`, {
      method: "POST",
      body: { title: "Colors", head: "feature/colors", base: "main" },
    })
    const number = Number(human.number)
    world.model.enqueue(...writeFile("src/colors.test.js", "// tests for colors\n"))
    await world.comment(number, "/patchplane add a test file for colors")
    const run = await published(number)
    expect(run.pullRequestNumber).not.toBe(number)
    const opened = await world.github.pullRequest(REPOSITORY, run.pullRequestNumber ?? 0)
    expect(opened).toMatchObject({
      draft: true,
      head: { ref: `patchplane/${run.id}` },
      base: { ref: "feature/colors" },
    })
    // Their branch is where they left it.
    expect((await world.github.pullRequest(REPOSITORY, number)).head.sha).toBe(sha)
  }, 120_000)

  it("reverts every commit of a rebase-merged PatchPlane PR, with a rollback in the graph", async () => {
    const pr = first.pullRequestNumber ?? 0
    // A human takes it out of draft and merges it.
    const { node_id: nodeId } = await world.github.pullRequest(REPOSITORY, pr)
    await world.rest("/graphql", {
      method: "POST",
      body: {
        query:
          "mutation($id: ID!) { markPullRequestReadyForReview(input: { pullRequestId: $id }) { pullRequest { isDraft } } }",
        variables: { id: nodeId },
      },
    })
    // Rebase-merged: its two commits are replayed onto main, and GitHub's
    // merge_commit_sha names only the second.
    const mergeSha = await world.github.mergePullRequest(REPOSITORY, pr, { method: "rebase" })
    const merged = await world.rest(`/repos/${REPOSITORY}/commits/${mergeSha}`)
    expect((merged.parents as Array<unknown>).length).toBe(1)
    await world.comment(pr, "/patchplane revert")
    const revert = await published(pr)
    const opened = await world.github.pullRequest(REPOSITORY, revert.pullRequestNumber ?? 0)
    expect(opened.title).toMatch(new RegExp(`^Revert #${pr}: `))
    expect(opened.base.ref).toBe("main")
    const compare = await world.rest(`/repos/${REPOSITORY}/compare/main...${opened.head.sha}`)
    const changed = compare.files as Array<{ filename: string; status: string }>
    expect(changed.map((f) => [f.filename, f.status]).toSorted()).toEqual([
      ["CONTRIBUTING.md", "removed"],
      ["docs/setup.md", "removed"],
    ])
    const edges = await lineageOf(loop.db.db, { kind: "workflow_run", id: revert.id })
    const rollback = edges.find((e) => e.relation === "rolled_back")
    expect(rollback).toMatchObject({ toKind: "rollback", data: { mergeCommitSha: mergeSha } })
  }, 120_000)

  it("runs under the repository's own policy, and a bad field fails the run naming it", async () => {
    await world.github.commitFiles(REPOSITORY, {
      branch: "main",
      files: { ".github/patchplane.yml": "budgets:\n  maxTurns: lots\n" },
      message: "policy with a typo",
    })
    const bad = await world.request("add a code of conduct", {
      script: writeFile("CODE_OF_CONDUCT.md", "Be kind.\n"),
    })
    const failed = await loop.runOn(bad.issueNumber, (r) => r.state === "failed", "the run to fail")
    expect(failed.reason).toMatch(/\.github\/patchplane\.yml.*budgets\.maxTurns/s)
    world.model.discard()

    // Only docs/ may change: a file elsewhere needs a human, whatever the score.
    await world.github.commitFiles(REPOSITORY, {
      branch: "main",
      files: { ".github/patchplane.yml": 'allowedPaths: ["docs/**"]\n' },
      message: "policy: docs only",
    })
    const sent = await world.request("add a code of conduct", {
      script: writeFile("CODE_OF_CONDUCT.md", "Be kind.\n"),
    })
    const run = await published(sent.issueNumber)
    const review = await world.review(run.pullRequestNumber ?? 0, loop.url)
    expect(review.stderr).toBe("")
    const waiting = await loop.runOn(
      sent.issueNumber,
      (r) => r.state === "awaiting_approval",
      "manual review",
    )
    expect(waiting.reason).toBe("decision: manual-review")
    const bundle = await loop.db.pool.query(
      "SELECT b.source FROM policy_bundles b JOIN workflow_runs r ON r.policy_bundle_id = b.id WHERE r.id = $1",
      [run.id],
    )
    expect(bundle.rows[0]?.source).toBe(`${REPOSITORY}:.github/patchplane.yml@main`)
  }, 180_000)

  it("says on the run page when GitHub refuses a status update for good, and the run goes on", async () => {
    const issue = world.github.createIssue(REPOSITORY, { title: "status refused", user: "octocat" })
    // Someone deleted the status comment: GitHub answers every edit of it with
    // 404, which no retry will change.
    world.github.failNext({
      method: "PATCH",
      path: /^\/repos\/acme\/widgets\/issues\/comments\/\d+$/,
      status: 404,
      times: 1_000,
    })
    world.model.enqueue(...writeFile("docs/refused.md", "# Refused\n"))
    await world.comment(issue.number, "/patchplane document the refusal")
    const run = await published(issue.number)
    const res = await fetch(`${loop.url}/api/runs/${run.id}`, { headers: loop.operator })
    const detail = (await res.json()) as {
      publicationFailures: Array<{ step: string; message: string; attempts: number }>
    }
    expect(detail.publicationFailures.length).toBeGreaterThanOrEqual(1)
    // A 404 is final: tried once, not three times.
    expect(detail.publicationFailures[0]).toMatchObject({ step: "status", attempts: 1 })
    expect(detail.publicationFailures[0]?.message).toMatch(/HTTP 404/)
    expect(run.pullRequestNumber).not.toBeNull()
  }, 180_000)
})
