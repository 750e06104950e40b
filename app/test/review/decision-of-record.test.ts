// The check run and the status comment show the decision the run record
// stands on. A policy decision recorded after the run left `reviewing` — as
// forged reports could before the endpoint refused them, so such rows may
// exist — is never published: a rejected run stays a failed check.
import { generateKeyPairSync } from "node:crypto"
import {
  getWorkflowRun,
  recordReviewsAndDecision,
  setCheckRun,
  setStatusComment,
  transitionWorkflowRun,
} from "@patchplane/db"
import { createTestDatabase, type TestDatabase } from "@patchplane/db/testing"
import type { ReviewerName } from "@patchplane/domain"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type GitHubStandIn, startGitHubStandIn } from "../../dev/github-stand-in/index.ts"
import { makeGitHubLive, type RepoRef } from "../../src/github/github-service.ts"
import { createProbot } from "../../src/github/probot.ts"
import { createLogger } from "../../src/platform/logger.ts"
import { makeRunStatusPublisher } from "../../src/publication/run-status-publisher.ts"
import { seedRun } from "./seed.ts"

const keys = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
})

let db: TestDatabase
let gh: GitHubStandIn

beforeAll(async () => {
  db = await createTestDatabase("decision_of_record")
  gh = await startGitHubStandIn({ appId: 4343, appPublicKey: keys.publicKey })
})
afterAll(async () => {
  await gh?.close()
  await db?.drop()
})

const review = (reviewer: ReviewerName, score: number) => ({
  reviewer,
  passed: score >= 0.8,
  score,
  comments: "",
  findings: [],
  logRef: null,
  artifactRefs: [],
})

/** A policy decision written straight to the database, as the endpoint once did. */
const policyDecision = (
  runId: string,
  patchSetId: string,
  state: "rejected" | "ready-for-review",
) =>
  recordReviewsAndDecision(db.db, {
    workflowRunId: runId,
    patchSetId,
    actor: "github-actions:test",
    reviews: [review("tests", state === "rejected" ? 0.1 : 1)],
    decide: () => ({
      policyBundleId: null,
      weightedScore: state === "rejected" ? 0.1 : 1,
      criteria: [],
      state,
      decidedBy: "policy",
      issueNumber: 7,
      pullRequestNumber: 42,
    }),
  })

describe("the published decision", () => {
  it("is the run's recorded one, not a policy decision recorded after it", async () => {
    const run = await seedRun(db.db, { fullName: "acme/widgets" })
    const { rows } = await db.db.$client.query(
      "SELECT installation_id FROM github_installations WHERE id = $1",
      [run.installationRowId],
    )
    const installationId = Number(rows[0].installation_id)
    const repo = await gh.createRepository("acme/widgets", { installationId })
    const issue = gh.createIssue("acme/widgets", { title: "t", user: "octocat" })
    const probot = createProbot({
      appId: 4343,
      privateKey: keys.privateKey,
      webhookSecret: "s",
      apiUrl: gh.apiUrl,
      retries: 1,
      retryBaseMs: 5,
      maxRateLimitWaitSeconds: 2,
      throttle: false,
      log: createLogger("silent"),
    })
    const github = makeGitHubLive(probot)
    const ref: RepoRef = { installationId, owner: "acme", repo: "widgets" }
    const check = await Effect.runPromise(
      github.createCheckRun(ref, { name: "PatchPlane", headSha: repo.headSha, status: "queued" }),
    )
    const comment = await Effect.runPromise(github.createComment(ref, issue.number, "queued"))
    const stored = await getWorkflowRun(db.db, run.runId)
    await setCheckRun(db.db, run.runId, check.id)
    await setStatusComment(db.db, {
      promptRequestId: stored!.promptRequestId,
      workflowRunId: run.runId,
      commentId: comment.id,
    })
    const publish = makeRunStatusPublisher(db.db, github, {
      dashboardUrl: (id) => `http://127.0.0.1/runs/${id}`,
      pullRequestUrl: (name, n) => `https://github.com/${name}/pull/${n}`,
      log: createLogger("silent"),
    })

    await policyDecision(run.runId, run.patchSetId, "rejected")
    await transitionWorkflowRun(db.db, {
      id: run.runId,
      from: "reviewing",
      to: "decided",
      reason: "decision: rejected",
    })
    // The forged "all passed" that used to turn the check green.
    await policyDecision(run.runId, run.patchSetId, "ready-for-review")
    await publish(run.runId)

    const published = gh.checkRuns("acme/widgets").find((c) => c.id === check.id)
    expect(published).toMatchObject({ status: "completed", conclusion: "failure" })
    const body = gh.issueComments("acme/widgets", issue.number).find((c) => c.id === comment.id)
    expect(body?.body).toContain("Decision: `rejected`")
    expect(body?.body).not.toContain("ready-for-review")
  }, 60_000)
})
