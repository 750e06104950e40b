// GitHub misbehaving under the intake's writes: a 502 that recovers, and a
// secondary rate limit (403 + retry-after). PatchPlane runs with the GitHub
// settings a deployment has (throttling on), over real HTTP on real
// PostgreSQL; nock stands in for api.github.com and sees every request.
import { randomUUID } from "node:crypto"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createTestDatabase, type TestDatabase } from "@patchplane/db/testing"
import nock from "nock"
import { afterAll, beforeAll, expect, it } from "vitest"
import { startPatchPlane, type RunningPatchPlane } from "../../src/main/start.ts"
import {
  example,
  GITHUB,
  mockInstallationToken,
  recordUnexpected,
  REPO,
  sign,
  writeGitHubConfig,
} from "../intake/harness.ts"

let db: TestDatabase
let dir: string
let app: RunningPatchPlane

beforeAll(async () => {
  nock.disableNetConnect()
  nock.enableNetConnect(/127\.0\.0\.1|localhost/)
  db = await createTestDatabase("gh_faults", { migrate: false })
  dir = await mkdtemp(join(tmpdir(), "pp-gh-faults-"))
  await writeGitHubConfig(dir, {
    retries: 3,
    retryBaseMs: 50,
    // As deployed: writes are spaced and rate limits are waited out.
    throttle: true,
    maxRateLimitWaitSeconds: 5,
  })
  app = await startPatchPlane({ cwd: dir, env: { DATABASE_URL: db.url }, roles: ["web"] })
  mockInstallationToken()
  const installed = await send("installation", example("installation", "created"))
  if (installed.status !== 200) throw new Error(`installation answered ${installed.status}`)
}, 60_000)

afterAll(async () => {
  nock.cleanAll()
  nock.enableNetConnect()
  await app?.stop()
  await db?.drop()
  await rm(dir, { recursive: true, force: true })
})

const send = async (event: string, payload: Record<string, unknown>, id = randomUUID()) => {
  const body = JSON.stringify(payload)
  const res = await fetch(`${app.url}/api/github/webhooks`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": event,
      "x-github-delivery": id,
      "x-hub-signature-256": sign(body),
    },
    body,
  })
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, id }
}

const rows = async (query: string, params: unknown[] = []) =>
  (await db.pool.query(query, params)).rows as Record<string, unknown>[]

/** The delivery's final outcome (handling may finish after a 202). */
const outcomeOf = async (id: string, timeoutMs = 60_000) => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const [row] = await rows(
      "SELECT outcome, error FROM webhook_deliveries WHERE delivery_id = $1",
      [id],
    )
    if (row !== undefined && row.outcome !== "received") return row
    if (Date.now() > deadline) throw new Error(`delivery ${id} is still ${String(row?.outcome)}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

const secondaryRateLimit = {
  message:
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
  documentation_url:
    "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
}

it("retries a 502 and waits out a secondary rate limit on every intake write, each done exactly once", async () => {
  const guard = recordUnexpected()
  const payload = example("issue_comment", "created") as {
    comment: { id: number; body: string }
    issue: { number: number; pull_request?: unknown }
  }
  payload.comment.body = "/patchplane add a changelog entry"
  payload.issue.number = 4_711
  payload.issue.pull_request = { url: `${GITHUB}/repos/${REPO}/pulls/4711` }
  const calls: Array<{ what: string; status: number; at: number }> = []
  const answer =
    (what: string, status: number, body: unknown, headers: Record<string, string> = {}) =>
    (): [number, unknown, Record<string, string>] => {
      calls.push({ what, status, at: performance.now() })
      return [status, body, headers]
    }
  const bad = "Bad Gateway"

  nock(GITHUB)
    .get(`/repos/${REPO}/collaborators/Codertocat/permission`)
    .reply(answer("permission", 502, bad))
    .get(`/repos/${REPO}/collaborators/Codertocat/permission`)
    .reply(
      answer("permission", 200, {
        permission: "write",
        role_name: "write",
        user: { login: "Codertocat" },
      }),
    )
  nock(GITHUB)
    .get(`/repos/${REPO}/pulls/4711`)
    .reply(
      answer("pull", 200, {
        number: 4711,
        state: "open",
        head: { sha: "feedface", ref: "feature", repo: { full_name: REPO } },
        base: { sha: "b0", ref: "master", repo: { full_name: REPO } },
      }),
    )
  nock(GITHUB)
    .post(`/repos/${REPO}/issues/comments/${payload.comment.id}/reactions`)
    .reply(answer("reaction", 502, bad))
    .post(`/repos/${REPO}/issues/comments/${payload.comment.id}/reactions`)
    .reply(answer("reaction", 201, { id: 1, content: "eyes" }))
  nock(GITHUB)
    .post(`/repos/${REPO}/issues/4711/comments`)
    .reply(answer("comment", 403, secondaryRateLimit, { "retry-after": "1" }))
    .post(`/repos/${REPO}/issues/4711/comments`)
    .reply(answer("comment", 201, { id: 424_242, html_url: "x" }))
  nock(GITHUB)
    .post(`/repos/${REPO}/check-runs`)
    .reply(answer("check", 502, bad))
    .post(`/repos/${REPO}/check-runs`)
    .reply(answer("check", 201, { id: 99_001 }))

  try {
    const res = await send("issue_comment", payload)
    // Spaced writes and a rate-limit wait may outlast GitHub's 10 s: then 202, finished later.
    expect([200, 202]).toContain(res.status)
    expect(await outcomeOf(res.id)).toEqual({ outcome: "processed", error: expect.any(String) })
    expect(guard.unexpected).toEqual([])
    expect(nock.pendingMocks().filter((m) => !m.includes("access_tokens"))).toEqual([])

    // Every write reached GitHub until it succeeded, and never again after that.
    const tally = (what: string) => calls.filter((c) => c.what === what).map((c) => c.status)
    expect(tally("permission")).toEqual([502, 200])
    expect(tally("reaction")).toEqual([502, 201])
    expect(tally("comment")).toEqual([403, 201])
    expect(tally("check")).toEqual([502, 201])
    // The rate-limited comment was retried no sooner than GitHub asked (retry-after: 1).
    const [limited, created] = calls.filter((c) => c.what === "comment")
    expect((created?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(950)

    // One request, one queued run, carrying the ids of the one comment and check run.
    const stored = await rows(
      "SELECT r.state, r.status_comment_id, r.check_run_id FROM prompt_requests p JOIN workflow_runs r ON r.prompt_request_id = p.id WHERE p.delivery_id = $1",
      [res.id],
    )
    expect(stored).toEqual([
      { state: "queued", status_comment_id: "424242", check_run_id: "99001" },
    ])
  } finally {
    guard.done()
  }
}, 90_000)
