// POST /api/runs/:id/reviews over HTTP on a real database: results are
// stored once per reviewer and judged; wrong tokens, bodies and runs are
// refused with {"error":{code,message,path?}} and leave nothing behind.
import {
  getWorkflowRun,
  insertPatchSet,
  insertWorkflowRun,
  linkRound,
  lineageOf,
  listMergeDecisions,
  listReviewRuns,
  setRepositoriesActive,
  transitionWorkflowRun,
} from "@patchplane/db"
import { createTestDatabase, type TestDatabase } from "@patchplane/db/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  type GitHubClaims,
  type LocalIssuer,
  startLocalIssuer,
} from "../../dev/oidc-issuer/local-issuer.ts"
import { type ReviewServer, startReviewServer } from "./review-server.ts"
import { type SeededRun, seedRun } from "./seed.ts"

let db: TestDatabase
let issuer: LocalIssuer
let server: ReviewServer

beforeAll(async () => {
  db = await createTestDatabase("review_endpoint")
  issuer = await startLocalIssuer({ repository: "unused/unused" })
  server = await startReviewServer(db.db, issuer.url)
})
afterAll(async () => {
  await server.stop()
  await issuer.stop()
  await db.drop()
})

const claimsFor = (run: SeededRun, over: Partial<GitHubClaims> = {}): GitHubClaims => ({
  repository: run.fullName,
  repository_id: String(run.githubRepoId),
  repository_owner_id: String(run.accountId),
  ref: "refs/pull/42/merge",
  head_ref: `patchplane/${run.runId}`,
  ...over,
})

const report = (reviewer: string, score: number, extra: Record<string, unknown> = {}) => ({
  reviewer,
  passed: score >= 0.8,
  score,
  comments: `${reviewer} ran`,
  findings: [],
  logRef: "https://github.com/octo/demo/actions/runs/1",
  artifactRefs: [],
  ...extra,
})

const allPassing = [
  report("lint", 1),
  report("tests", 1),
  report("security", 1),
  report("quality", 0.9),
]

const post = async (
  runId: string,
  body: unknown,
  token: string | null,
  headers: Record<string, string> = {},
) => {
  const res = await fetch(`${server.url}/api/runs/${runId}/reviews`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...headers,
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as Answer }
}

interface Answer {
  readonly error: { code: string; message: string; path?: string }
  readonly patchSetId: string
  readonly reviewRuns: ReadonlyArray<{ id: string; reviewer: string; replaced: boolean }>
  readonly decision: { state: string; weightedScore: number }
}

describe("review results endpoint", () => {
  it("stores the ReviewRuns, records the decision with its criteria and links them", async () => {
    const run = await seedRun(db.db)
    const token = await issuer.sign(claimsFor(run))
    const res = await post(run.runId, { headSha: "b".repeat(40), reviewRuns: allPassing }, token)
    expect(res.status).toBe(200)
    expect(res.body.patchSetId).toBe(run.patchSetId)
    expect(res.body.decision).toMatchObject({ state: "ready-for-review" })
    expect(res.body.decision.weightedScore).toBeCloseTo(0.985, 5)
    const rows = await listReviewRuns(db.db, run.patchSetId)
    expect(rows.map((r) => r.reviewer)).toEqual(["lint", "quality", "security", "tests"])
    const [decision] = await listMergeDecisions(db.db, run.runId)
    expect(decision).toMatchObject({
      state: "ready-for-review",
      decidedBy: "policy",
      issueNumber: 7,
      pullRequestNumber: 42,
    })
    expect(decision?.criteria.map((c) => c.criterion)).toContain("weighted-score")
    const relations = (await lineageOf(db.db, { kind: "merge_decision", id: decision!.id })).map(
      (e) => e.relation,
    )
    expect(relations.filter((r) => r === "reviewed")).toHaveLength(4)
    expect(relations.filter((r) => r === "informed")).toHaveLength(4)
    expect(relations).toContain("decided")
    expect(server.decisions.at(-1)).toMatchObject({
      runId: run.runId,
      repository: run.fullName,
      pullRequestNumber: 42,
      decision: { state: "ready-for-review" },
    })
  })

  it("replaces a re-reported reviewer instead of duplicating it, and decides again", async () => {
    const run = await seedRun(db.db)
    const token = await issuer.sign(claimsFor(run))
    const first = await post(run.runId, { headSha: "b".repeat(40), reviewRuns: allPassing }, token)
    const failing = [report("tests", 0.5, { passed: false, comments: "1 failed" })]
    const again = await post(run.runId, { headSha: "b".repeat(40), reviewRuns: failing }, token)
    expect(again.status).toBe(200)
    expect(again.body.reviewRuns[0]).toMatchObject({ reviewer: "tests", replaced: true })
    const firstTests = first.body.reviewRuns.find((r) => r.reviewer === "tests")
    expect(again.body.reviewRuns[0]?.id).toBe(firstTests?.id)
    const rows = await listReviewRuns(db.db, run.patchSetId)
    expect(rows).toHaveLength(4)
    expect(rows.find((r) => r.reviewer === "tests")).toMatchObject({
      score: 0.5,
      comments: "1 failed",
    })
    const decisions = await listMergeDecisions(db.db, run.runId)
    expect(decisions.map((d) => d.state)).toEqual(["ready-for-review", "rejected"])
  })

  it("decides with the run's policy bundle and escalates dependency changes", async () => {
    const auto = await seedRun(db.db, { policySpec: { approvalMode: "auto-approve" } })
    const accepted = await post(
      auto.runId,
      { headSha: "b".repeat(40), reviewRuns: allPassing },
      await issuer.sign(claimsFor(auto)),
    )
    expect(accepted.body.decision.state).toBe("accepted")
    const deps = await seedRun(db.db, {
      policySpec: { approvalMode: "auto-approve" },
      dependencyChanges: [{ manifest: "package.json", name: "zod", from: null, to: "^3.23.0" }],
    })
    const escalated = await post(
      deps.runId,
      { headSha: "b".repeat(40), reviewRuns: allPassing },
      await issuer.sign(claimsFor(deps)),
    )
    expect(escalated.body.decision.state).toBe("manual-review")
  })

  it("refuses a token for another repository, an expired one and a bad signature", async () => {
    const run = await seedRun(db.db)
    const body = { headSha: "b".repeat(40), reviewRuns: allPassing }
    const other = await post(
      run.runId,
      body,
      await issuer.sign(claimsFor(run, { repository: "octo/elsewhere" })),
    )
    expect(other).toMatchObject({ status: 403, body: { error: { code: "repository_mismatch" } } })
    const otherBranch = await post(
      run.runId,
      body,
      await issuer.sign(claimsFor(run, { head_ref: "feature/x" })),
    )
    expect(otherBranch).toMatchObject({ status: 403, body: { error: { code: "ref_mismatch" } } })
    const expired = await post(
      run.runId,
      body,
      await issuer.sign(claimsFor(run), { expiresIn: -60 }),
    )
    expect(expired).toMatchObject({ status: 401, body: { error: { code: "invalid_token" } } })
    const forged = await post(
      run.runId,
      body,
      await issuer.sign(claimsFor(run), { foreignKey: true }),
    )
    expect(forged).toMatchObject({ status: 401, body: { error: { code: "invalid_token" } } })
    const missing = await post(run.runId, body, null)
    expect(missing).toMatchObject({ status: 401, body: { error: { code: "missing_token" } } })
    expect(await listReviewRuns(db.db, run.patchSetId)).toHaveLength(0)
    expect(await listMergeDecisions(db.db, run.runId)).toHaveLength(0)
  })

  it("names the bad field of an invalid body", async () => {
    const run = await seedRun(db.db)
    const token = await issuer.sign(claimsFor(run))
    const badScore = await post(
      run.runId,
      { headSha: "b".repeat(40), reviewRuns: [report("lint", 1.5)] },
      token,
    )
    expect(badScore).toMatchObject({
      status: 400,
      body: { error: { code: "invalid_body", path: "reviewRuns[0].score" } },
    })
    const duplicate = await post(
      run.runId,
      { headSha: "b".repeat(40), reviewRuns: [report("lint", 1), report("lint", 1)] },
      token,
    )
    expect(duplicate.body.error).toMatchObject({ path: "reviewRuns[1].reviewer" })
    expect((await post(run.runId, "{not json", token)).body.error.code).toBe("invalid_json")
    const text = await post(run.runId, "x", token, { "content-type": "text/plain" })
    expect(text.status).toBe(415)
    // Over the 2 MB limit: refused, and the refusal still reaches the Action.
    const huge = await post(run.runId, JSON.stringify({ pad: "x".repeat(3 * 1024 * 1024) }), token)
    expect(huge).toMatchObject({ status: 413, body: { error: { code: "body_too_large" } } })
  })

  it("answers 404 for an unknown run and 409 without a PatchSet or for another run's", async () => {
    const run = await seedRun(db.db)
    const bare = await seedRun(db.db, { withoutPatchSet: true, fullName: run.fullName })
    const body = { headSha: "b".repeat(40), reviewRuns: allPassing }
    const unknown = "00000000-0000-4000-8000-000000000000"
    const notFound = await post(
      unknown,
      body,
      await issuer.sign(claimsFor({ ...run, runId: unknown })),
    )
    expect(notFound).toMatchObject({ status: 404, body: { error: { code: "run_not_found" } } })
    const none = await post(bare.runId, body, await issuer.sign(claimsFor(bare)))
    expect(none).toMatchObject({ status: 409, body: { error: { code: "no_patch_set" } } })
    const foreign = await post(
      bare.runId,
      { ...body, patchSetId: run.patchSetId },
      await issuer.sign(claimsFor(bare)),
    )
    expect(foreign).toMatchObject({
      status: 409,
      body: { error: { code: "patch_set_not_in_run" } },
    })
    await transitionWorkflowRun(db.db, { id: run.runId, from: "reviewing", to: "cancelled" })
    const stopped = await post(run.runId, body, await issuer.sign(claimsFor(run)))
    expect(stopped).toMatchObject({ status: 409, body: { error: { code: "run_stopped" } } })
  })

  it("refuses results for a repository the App no longer covers", async () => {
    const run = await seedRun(db.db)
    await setRepositoriesActive(db.db, [run.githubRepoId], false)
    const res = await post(
      run.runId,
      { headSha: "b".repeat(40), reviewRuns: allPassing },
      await issuer.sign(claimsFor(run)),
    )
    expect(res).toMatchObject({
      status: 403,
      body: { error: { code: "repository_not_connected" } },
    })
    expect(await listReviewRuns(db.db, run.patchSetId)).toHaveLength(0)
  })
})

describe("forged or late results", () => {
  const body = { headSha: "b".repeat(40), reviewRuns: allPassing }
  const failingBody = {
    headSha: "b".repeat(40),
    reviewRuns: [report("tests", 0.2, { passed: false }), ...allPassing.slice(0, 1)],
  }

  it("are refused once the run is decided: the stored decision stands and nothing is published", async () => {
    const run = await seedRun(db.db)
    const token = await issuer.sign(claimsFor(run))
    const rejected = await post(run.runId, failingBody, token)
    expect(rejected.body.decision.state).toBe("rejected")
    // The run's workflow settles it, as it does on the decision.
    await transitionWorkflowRun(db.db, {
      id: run.runId,
      from: "reviewing",
      to: "decided",
      reason: "decision: rejected",
    })
    const published = server.decisions.length
    const late = await post(run.runId, body, token)
    expect(late).toMatchObject({ status: 409, body: { error: { code: "run_decided" } } })
    expect(late.body.error.message).toMatch(/only while it is reviewing/)
    expect((await listMergeDecisions(db.db, run.runId)).map((d) => d.state)).toEqual(["rejected"])
    expect((await listReviewRuns(db.db, run.patchSetId)).map((r) => r.score).toSorted()).toEqual([
      0.2, 1,
    ])
    // onDecision is what updates the check run and the status comment: not called.
    expect(server.decisions).toHaveLength(published)
  })

  it("are refused while the run waits for a human", async () => {
    const run = await seedRun(db.db)
    await transitionWorkflowRun(db.db, {
      id: run.runId,
      from: "reviewing",
      to: "awaiting_approval",
    })
    const waiting = await post(run.runId, body, await issuer.sign(claimsFor(run)))
    expect(waiting).toMatchObject({ status: 409, body: { error: { code: "run_decided" } } })
    expect(await listMergeDecisions(db.db, run.runId)).toEqual([])
  })

  it("are refused from any workflow but the reusable review workflow", async () => {
    const run = await seedRun(db.db)
    for (const job_workflow_ref of [
      // The agent's own workflow on its branch.
      `${run.fullName}/.github/workflows/ci.yml@refs/heads/patchplane/${run.runId}`,
      // A look-alike of the review workflow in the target repository.
      `${run.fullName}/.github/workflows/patchplane-review.yml@refs/heads/patchplane/${run.runId}`,
    ]) {
      const res = await post(
        run.runId,
        body,
        await issuer.sign(claimsFor(run, { job_workflow_ref })),
      )
      expect(res).toMatchObject({ status: 403, body: { error: { code: "workflow_not_allowed" } } })
    }
    expect(await listReviewRuns(db.db, run.patchSetId)).toHaveLength(0)
    expect(await listMergeDecisions(db.db, run.runId)).toEqual([])
  })

  it("are refused for any head but the run's current one", async () => {
    const run = await seedRun(db.db)
    const token = await issuer.sign(claimsFor(run))
    const old = await post(run.runId, { ...body, headSha: "a".repeat(40) }, token)
    expect(old).toMatchObject({ status: 409, body: { error: { code: "stale_head" } } })
    // A push-triggered token names the commit itself: it must be the head too.
    const pushed = await issuer.sign(
      claimsFor(run, {
        event_name: "push",
        ref: `refs/heads/patchplane/${run.runId}`,
        sha: "a".repeat(40),
      }),
    )
    const oldPush = await post(run.runId, body, pushed)
    expect(oldPush).toMatchObject({ status: 409, body: { error: { code: "stale_head" } } })
    // A newer PatchSet replaces the one the results name.
    const first = run.patchSetId
    await insertPatchSet(db.db, {
      workflowRunId: run.runId,
      branch: `patchplane/${run.runId}`,
      baseSha: "a".repeat(40),
      headSha: "d".repeat(40),
      files: [],
      diffSummary: { filesChanged: 0, additions: 0, deletions: 0 },
      dependencyChanges: [],
    })
    const stale = await post(run.runId, { ...body, patchSetId: first }, token)
    expect(stale).toMatchObject({ status: 409, body: { error: { code: "stale_patch_set" } } })
    expect(await listMergeDecisions(db.db, run.runId)).toEqual([])
    const current = await post(run.runId, { ...body, headSha: "d".repeat(40) }, token)
    expect(current.status).toBe(200)
  })

  it("records a follow-up round's head on that round, though the Action names the branch's run", async () => {
    const first = await seedRun(db.db)
    const firstRow = await getWorkflowRun(db.db, first.runId)
    // Round 2 pushes to round 1's branch, as follow-up rounds do.
    const second = await insertWorkflowRun(db.db, {
      promptRequestId: firstRow!.promptRequestId,
      repositoryId: first.repositoryId,
      pullRequestNumber: 42,
    })
    const steps = ["provisioning", "running", "collecting", "reviewing"] as const
    let from: "queued" | (typeof steps)[number] = "queued"
    for (const to of steps) {
      await transitionWorkflowRun(db.db, { id: second.id, from, to })
      from = to
    }
    const patchSet = await insertPatchSet(db.db, {
      workflowRunId: second.id,
      branch: `patchplane/${first.runId}`,
      baseSha: "b".repeat(40),
      headSha: "c".repeat(40),
      files: [{ path: "src/math.js", status: "modified", additions: 1, deletions: 0 }],
      diffSummary: { filesChanged: 1, additions: 1, deletions: 0 },
      dependencyChanges: [],
    })
    await linkRound(db.db, {
      previousRunId: first.runId,
      runId: second.id,
      round: 2,
      trigger: "review",
      detail: {},
    })
    const token = await issuer.sign(claimsFor(first))
    const res = await post(first.runId, { headSha: "c".repeat(40), reviewRuns: allPassing }, token)
    expect(res.status).toBe(200)
    expect(res.body.patchSetId).toBe(patchSet.id)
    expect(await listMergeDecisions(db.db, second.id)).toHaveLength(1)
    expect(await listMergeDecisions(db.db, first.runId)).toEqual([])
    expect(server.decisions.at(-1)).toMatchObject({ runId: second.id })
    // A head no round pushed is still refused, on the branch's run.
    const stale = await post(
      first.runId,
      { headSha: "d".repeat(40), reviewRuns: allPassing },
      token,
    )
    expect(stale.status).toBe(409)
    expect(stale.body.error.code).toBe("stale_head")
    // The token must still be for the named run's branch.
    const other = await issuer.sign(claimsFor(first, { head_ref: `patchplane/${second.id}` }))
    const refused = await post(
      first.runId,
      { headSha: "c".repeat(40), reviewRuns: allPassing },
      other,
    )
    expect(refused.status).toBe(403)
  })
})
