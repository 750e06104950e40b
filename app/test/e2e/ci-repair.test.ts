// CI repair with flake triage, the whole loop: GitHub Actions (the stand-in)
// completes red on a PatchPlane PR's head → PatchPlane re-runs the failed
// jobs once → green: recorded as flaky, no run and no model call; red again:
// a repair round on the PR's branch whose model was given the log tail →
// green CI → the review of the repaired head decides the repair round, and a
// review asking for more stops the chain when the score did not improve. The same failure after a repair stops the
// chain with a manual-review decision.
import { getCiTriage, latestMergeDecision, roundChain } from "@patchplane/db"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { MAINTAINER, REPOSITORY } from "../../dev/local-world.ts"
import type { ScriptedJob } from "../../dev/github-stand-in/index.ts"
import { callTools, say, toolCall } from "../../dev/scripted-model/model-scripts.ts"
import { contentText } from "../../dev/scripted-model/scripted-model-server.ts"
import { type Loop, startLoop } from "./harness.ts"

let loop: Loop

beforeAll(async () => {
  loop = await startLoop("ci")
}, 120_000)

afterAll(async () => {
  await loop?.stop()
})

const writing = (path: string, content: string) => [
  callTools(toolCall("write", { path, content }, "call_write")),
  say(`Wrote ${path}.`),
]

const FAILING_LOG = [
  "2026-12-04T10:00:00.0000000Z ##[group]Run npm test",
  "2026-12-04T10:00:01.0000000Z > widgets@1.0.0 test",
  "2026-12-04T10:00:02.0000000Z not ok 1 - an empty name gives an empty widget",
  "2026-12-04T10:00:02.1000000Z   AssertionError [ERR_ASSERTION]: Expected values to be strictly equal: undefined !== ''",
  "2026-12-04T10:00:03.0000000Z ##[error]Process completed with exit code 1.",
].join("\n")

/** A PatchPlane PR from a fresh request, and its first run. */
const openPullRequest = async (prompt: string, path: string) => {
  const sent = await loop.world.request(prompt, { script: writing(path, `${prompt}\n`) })
  const run = await loop.runOn(sent.issueNumber, (r) => r.pullRequestNumber !== null, prompt)
  const number = run.pullRequestNumber ?? 0
  return {
    run,
    number,
    issue: sent.issueNumber,
    pr: await loop.world.github.pullRequest(REPOSITORY, number),
  }
}

const ci = async (number: number, jobs: ReadonlyArray<ScriptedJob>) => {
  const pr = await loop.world.github.pullRequest(REPOSITORY, number)
  return loop.world.github.completeWorkflowRun(REPOSITORY, {
    name: "CI",
    path: ".github/workflows/ci.yml",
    headSha: pr.head.sha,
    headBranch: pr.head.ref,
    pullNumber: number,
    actor: MAINTAINER,
    jobs,
  })
}

const reruns = () =>
  loop.world.github.requestsMatching("POST", /\/actions\/runs\/\d+\/rerun-failed-jobs$/)

describe("CI triage and repair", () => {
  it("re-runs a red CI once; green on the re-run is flaky, with no run and no model call", async () => {
    const { world, db } = loop
    const opened = await openPullRequest("add docs/flaky.md", "docs/flaky.md")
    const calls = world.model.requests.length
    const before = reruns().length
    const githubRunId = await ci(opened.number, [
      { name: "lint", conclusion: "success", log: "ok" },
      {
        name: "test",
        conclusion: "failure",
        log: "##[error]The runner lost communication with the server.",
        onRerun: { conclusion: "success", log: "ok" },
      },
    ])
    const triage = await loop.until("the flaky verdict", async () => {
      const row = await getCiTriage(db.db, githubRunId)
      return row?.outcome === "flaky" ? row : undefined
    })
    expect(triage.workflowRunId).toBe(opened.run.id)
    expect(reruns().length).toBe(before + 1)
    await loop.until("the status comment noting the flake", async () =>
      world.github
        .issueComments(REPOSITORY, opened.issue)
        .some(
          (c) => c.body.includes('⚠️ CI "CI" failed on') && c.body.includes("recorded as flaky"),
        )
        ? true
        : undefined,
    )
    expect(world.model.requests.length).toBe(calls)
    expect(await roundChain(db.db, opened.run.id)).toEqual([opened.run.id])
  }, 180_000)

  it("repairs a failure that survives its re-run, with the log tail as context, then decides", async () => {
    const { world, db, url } = loop
    const opened = await openPullRequest("add docs/repair.md", "docs/repair.md")
    // The review workflow reports on round 1's head: its decision is round 1's.
    expect((await world.review(opened.number, url)).code).toBe(0)
    const firstDecision = await loop.until("round 1's decision", () =>
      latestMergeDecision(db.db, opened.run.id),
    )
    // The repair: fix the code, then run the tests.
    world.model.enqueue(
      callTools(
        toolCall(
          "write",
          {
            path: "src/widgets.js",
            content: 'export const widget = (name = "") => ({ name, parts: [] })\n',
          },
          "call_fix",
        ),
      ),
      callTools(toolCall("bash", { command: "npm test 2>&1 | tail -5" }, "call_test")),
      say("Empty names give an empty widget again; the tests pass."),
    )
    const served = world.model.requests.length
    const githubRunId = await ci(opened.number, [
      { name: "test", conclusion: "failure", log: FAILING_LOG },
    ])
    const repair = await loop.runOn(
      opened.number,
      (r) => r.pullRequestNumber === opened.number && r.state === "reviewing",
      "the repair round published",
    )
    expect(await getCiTriage(db.db, githubRunId)).toMatchObject({
      outcome: "repair-started",
      repairRunId: repair.id,
    })
    expect(await roundChain(db.db, repair.id)).toEqual([opened.run.id, repair.id])
    const given = contentText(
      (world.model.requests[served]?.body.messages ?? []).find((m) => m.role === "user")?.content,
    )
    expect(given).toContain('Make CI pass: workflow "CI" failed twice on')
    expect(given).toContain('[Failing CI job "test" of workflow "CI" (attempt 2), log tail]')
    expect(given).toContain(
      ">   AssertionError [ERR_ASSERTION]: Expected values to be strictly equal: undefined !== ''",
    )
    expect(given).not.toContain("2026-12-04T10:00:02") // timestamps stripped

    // Green on the repaired head; the review decides the round.
    const after = await world.github.pullRequest(REPOSITORY, opened.number)
    expect(after.head.sha).not.toBe(opened.pr.head.sha)
    const calls = world.model.requests.length
    await ci(opened.number, [{ name: "test", conclusion: "success", log: "ok" }])
    const review = await world.review(opened.number, url)
    expect(review.code).toBe(0)
    // The Action names the branch's run (round 1), but the head it reviewed is
    // the repair round's: the decision is the repair round's, round 1's stands.
    const decision = await loop.until("the review's decision on the repair round", () =>
      latestMergeDecision(db.db, repair.id),
    )
    expect(decision).toMatchObject({ decidedBy: "policy", workflowRunId: repair.id })
    expect((await latestMergeDecision(db.db, opened.run.id))?.id).toBe(firstDecision.id)
    expect((await getCiTriage(db.db, githubRunId))?.outcome).toBe("repair-started")
    expect(world.model.requests.length).toBe(calls)

    // A writer requests changes: the repair round scored no better than round 1,
    // so the chain stops instead of spending another round (maxRounds is 3).
    world.github.setPermission(REPOSITORY, "rita", "write")
    await world.submitReview(opened.number, {
      user: "rita",
      state: "CHANGES_REQUESTED",
      body: "Try again.",
    })
    const stop = await loop.until("the stop on the repair round", async () => {
      const d = await latestMergeDecision(db.db, repair.id)
      return d?.decidedBy === "iteration" ? d : undefined
    })
    expect(stop.state).toBe("manual-review")
    expect(stop.criteria.at(-1)?.detail).toBe(
      `stopped iterating: the review score did not improve over the previous round ` +
        `(${Math.round(firstDecision.weightedScore * 100)}% → ${Math.round(decision.weightedScore * 100)}%)`,
    )
    expect(await roundChain(db.db, repair.id)).toEqual([opened.run.id, repair.id])
    expect(world.model.requests.length).toBe(calls)
  }, 300_000)

  it("stops when the same failure comes back after a repair round", async () => {
    const { world, db } = loop
    const opened = await openPullRequest("add docs/stubborn.md", "docs/stubborn.md")
    world.model.enqueue(...writing("docs/attempt.md", "a first try\n"))
    await ci(opened.number, [{ name: "test", conclusion: "failure", log: FAILING_LOG }])
    const repair = await loop.runOn(
      opened.number,
      (r) => r.pullRequestNumber === opened.number && r.state === "reviewing",
      "the repair round published",
    )
    const calls = world.model.requests.length
    const again = await ci(opened.number, [
      { name: "test", conclusion: "failure", log: FAILING_LOG },
    ])
    const parked = await loop.runOn(
      opened.number,
      (r) => r.state === "awaiting_approval",
      "the stop",
    )
    expect(parked.id).toBe(repair.id)
    expect(await getCiTriage(db.db, again)).toMatchObject({ outcome: "stopped" })
    const decision = await latestMergeDecision(db.db, repair.id)
    expect(decision).toMatchObject({ state: "manual-review", decidedBy: "iteration" })
    expect(decision?.criteria.at(-1)?.detail).toBe(
      "stopped iterating: the same failure repeated after a repair round",
    )
    expect(world.model.requests.length).toBe(calls)
  }, 300_000)
})
