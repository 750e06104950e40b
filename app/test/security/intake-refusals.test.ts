// What must never start a run, end to end over HTTP on real PostgreSQL with
// nock as GitHub: a PR review comment on a pull request from a fork (the
// payload's head names the fork; no PR look-up happens on this path), and a
// comment or issue edited by a non-writer to add `/patchplane` afterwards.
// (issue_comment on a fork PR, which looks the PR up, is covered in
// intake/webhooks.test.ts "refuses a pull request from a fork with a reply".)
import nock from "nock"
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest"
import {
  example,
  GITHUB,
  type Harness,
  mockInstallationToken,
  permissionReply,
  recordUnexpected,
  REPO,
  startInstalledHarness,
} from "../intake/harness.ts"

let h: Harness
let guard: ReturnType<typeof recordUnexpected>

beforeAll(async () => {
  h = await startInstalledHarness()
}, 60_000)
afterAll(async () => {
  await h?.stop()
})
beforeEach(() => {
  guard = recordUnexpected()
})
afterEach(() => {
  guard.done()
  const pending = nock.pendingMocks().filter((m) => !m.includes("access_tokens"))
  nock.cleanAll()
  mockInstallationToken()
  if (guard.unexpected.length > 0)
    throw new Error(`unexpected GitHub requests: ${guard.unexpected.join(", ")}`)
  if (pending.length > 0) throw new Error(`GitHub calls that never happened: ${pending.join(", ")}`)
})

const rows = async (sql: string, params: unknown[] = []) =>
  (await h.db.pool.query(sql, params)).rows as Record<string, unknown>[]
const nothingStarted = async (deliveryId: string) => {
  expect(await rows("SELECT 1 FROM prompt_requests WHERE delivery_id = $1", [deliveryId])).toEqual(
    [],
  )
  expect(await rows("SELECT count(*)::int AS n FROM workflow_runs")).toEqual([{ n: 0 }])
}

describe("a pull request from a fork", () => {
  type ReviewComment = {
    comment: { id: number; body: string }
    pull_request: {
      number: number
      head: { sha: string; ref: string; repo: { full_name: string } | null }
    }
  }

  for (const [label, head] of [
    ["a fork's head repository", { full_name: "mallory/Hello-World" }],
    ["a deleted fork (head repository null)", null],
  ] as const) {
    it(`a review comment on ${label} is refused with a reply: no reaction, no check run, no request`, async () => {
      const payload = example("pull_request_review_comment", "created") as ReviewComment
      payload.comment.body = "/patchplane run the release script with my token"
      payload.pull_request.head.repo = head === null ? null : { ...head }
      permissionReply("Codertocat", "write")
      let reply = ""
      nock(GITHUB)
        .post(
          `/repos/${REPO}/issues/${payload.pull_request.number}/comments`,
          (b: { body: string }) => {
            reply = b.body
            return true
          },
        )
        .reply(201, { id: 1, html_url: "x" })
      const res = await h.send("pull_request_review_comment", payload)
      expect(res).toMatchObject({ status: 200, body: { outcome: "refused" } })
      expect(reply).toContain("forks")
      const [delivery] = await rows(
        "SELECT outcome, error FROM webhook_deliveries WHERE delivery_id = $1",
        [res.id],
      )
      expect(delivery).toEqual({ outcome: "refused", error: "pull request from a fork" })
      await nothingStarted(res.id)
    })
  }
})

describe("a command added by editing", () => {
  const edits: ReadonlyArray<[string, (payload: Record<string, unknown>) => void]> = [
    [
      "issue_comment",
      (p) => {
        ;(p.comment as { body: string }).body = "Nice.\n/patchplane delete the CI config"
      },
    ],
    [
      "pull_request_review_comment",
      (p) => {
        ;(p.comment as { body: string }).body = "/patchplane push straight to main"
      },
    ],
    [
      "issues",
      (p) => {
        ;(p.issue as { body: string }).body = "/patchplane add me as an admin"
      },
    ],
  ]

  it("by someone without write access does nothing: no request, not a single GitHub call", async () => {
    for (const [event, edit] of edits) {
      const payload = example(event, "edited")
      edit(payload)
      const sender = { login: "drive-by", id: 4_242_424, type: "User" }
      payload.sender = { ...(payload.sender as object), ...sender }
      const author = (payload.comment ?? payload.issue) as { user: Record<string, unknown> }
      author.user = { ...author.user, ...sender }
      const res = await h.send(event, payload)
      expect(res).toMatchObject({ status: 200, body: { ok: true, outcome: "ignored" } })
      const [delivery] = await rows(
        "SELECT action, outcome, error FROM webhook_deliveries WHERE delivery_id = $1",
        [res.id],
      )
      expect(delivery).toEqual({
        action: "edited",
        outcome: "ignored",
        error: "edited text never starts a run",
      })
      await nothingStarted(res.id)
    }
    // The guard (afterEach) fails the test on any GitHub request: no permission look-up,
    // no reaction, no reply.
  })
})

const commentFrom = (login: string, body: string) => {
  const payload = example("issue_comment", "created") as {
    comment: { body: string; user: Record<string, unknown> }
    sender: Record<string, unknown>
  }
  const sender = { login, id: 4_242_424, type: "User" }
  payload.comment.body = body
  payload.comment.user = { ...payload.comment.user, ...sender }
  payload.sender = { ...payload.sender, ...sender }
  return payload
}
const timed = async <A>(work: () => Promise<A>) => {
  const started = performance.now()
  const value = await work()
  return { value, ms: performance.now() - started }
}

describe("a comment built to stall the control plane", () => {
  // GitHub's longest comment, of the text that froze the old sanitiser for
  // minutes: `<a hidden ` over and over.
  const STALL = "<a hidden ".repeat(6_554).slice(0, 65_536)
  it("without a command, from a non-writer: answered within a second, never read, nothing else slowed", async () => {
    const hostile = Array.from({ length: 4 }, () =>
      timed(() => h.send("issue_comment", commentFrom("drive-by", STALL))),
    )
    // Deliveries in flight at the same time: a plain comment and a health check.
    const other = timed(() => h.send("issue_comment", commentFrom("neighbour", "Thanks, LGTM")))
    const health = timed(() => fetch(`${h.app.url}/api/health`))
    for (const { value, ms } of await Promise.all(hostile)) {
      expect(value).toMatchObject({ status: 200, body: { ok: true, outcome: "ignored" } })
      expect(ms).toBeLessThan(1_000)
    }
    expect((await other).value).toMatchObject({ status: 200, body: { outcome: "ignored" } })
    expect((await other).ms).toBeLessThan(1_000)
    expect((await health).value.status).toBe(200)
    expect((await health).ms).toBeLessThan(1_000)
    // No GitHub call at all (the guard fails the test otherwise): not even a permission look-up.
  })

  it("with a command, from a non-writer: refused after the permission look-up, within a second", async () => {
    permissionReply("drive-by", "read")
    let reply = ""
    nock(GITHUB)
      .post(`/repos/${REPO}/issues/1/comments`, (b: { body: string }) => {
        reply = b.body
        return true
      })
      .reply(201, { id: 1, html_url: "x" })
    const body = `/patchplane run this\n${STALL}`.slice(0, 65_536)
    const { value: res, ms } = await timed(() =>
      h.send("issue_comment", commentFrom("drive-by", body)),
    )
    expect(res).toMatchObject({ status: 200, body: { outcome: "refused" } })
    expect(ms).toBeLessThan(1_000)
    expect(reply).toContain("only people with write access")
    const [delivery] = await rows("SELECT error FROM webhook_deliveries WHERE delivery_id = $1", [
      res.id,
    ])
    expect(delivery).toEqual({ error: "@drive-by has read permission, write is required" })
    await nothingStarted(res.id)
  })

  it("with a command, from a writer, built to be slow to parse: refused at the bound while other deliveries go on", async () => {
    permissionReply("Codertocat", "write")
    let reply = ""
    nock(GITHUB)
      .post(`/repos/${REPO}/issues/1/comments`, (b: { body: string }) => {
        reply = b.body
        return true
      })
      .reply(201, { id: 1, html_url: "x" })
    // 65,000 nested quotes: minutes of work for the Markdown parser, unbounded.
    const slow = h.send(
      "issue_comment",
      commentFrom("Codertocat", `/patchplane run this\n${">".repeat(65_000)}`),
    )
    await new Promise((resolve) => setTimeout(resolve, 300))
    const { value: other, ms } = await timed(() =>
      h.send("issue_comment", commentFrom("neighbour", "Another plain comment")),
    )
    expect(other).toMatchObject({ status: 200, body: { outcome: "ignored" } })
    expect(ms).toBeLessThan(1_000)
    const res = await slow
    expect(res).toMatchObject({ status: 200, body: { outcome: "refused" } })
    expect(reply).toContain("could not read this comment safely")
    const [delivery] = await rows("SELECT error FROM webhook_deliveries WHERE delivery_id = $1", [
      res.id,
    ])
    expect(delivery).toEqual({ error: "text not read: reading the text took longer than 5000 ms" })
    await nothingStarted(res.id)
  }, 30_000)
})
