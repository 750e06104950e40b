// A webhook flood: 1,000 signed issue_comment deliveries carrying
// `/patchplane` prompts, 20 in flight at a time, of which 10% repeat an
// earlier X-GitHub-Delivery and 5% carry a bad signature. Exactly the valid,
// unique ones become PromptRequests (each with one status comment on GitHub);
// the bad ones answer 401 and leave nothing behind.
import nock from "nock"
import { afterAll, beforeAll, expect, it } from "vitest"
import {
  example,
  GITHUB,
  type Harness,
  mockInstallationToken,
  recordUnexpected,
  REPO,
  startHarness,
} from "../intake/harness.ts"

let h: Harness

beforeAll(async () => {
  nock.disableNetConnect()
  nock.enableNetConnect(/127\.0\.0\.1|localhost/)
  h = await startHarness()
  mockInstallationToken()
  const installed = await h.send("installation", example("installation", "created"))
  if (installed.status !== 200) throw new Error(`installation answered ${installed.status}`)
}, 60_000)
afterAll(async () => {
  nock.cleanAll()
  nock.enableNetConnect()
  await h?.stop()
})

interface Delivery {
  readonly id: string
  readonly kind: "valid" | "duplicate" | "bad-signature"
  readonly payload: Record<string, unknown>
}

/** A small deterministic PRNG, so a failing order can be replayed. */
const mulberry32 = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
}

const q = async (sql: string, params: unknown[] = []) => (await h.db.pool.query(sql, params)).rows

const commentPayload = (n: number) => {
  const payload = example("issue_comment", "created") as {
    comment: { id: number; body: string }
    issue: { number: number }
  }
  payload.comment.body = `/patchplane fix flaky test number ${n}`
  payload.comment.id = 900_000 + n
  payload.issue.number = 20_000 + n
  return payload as unknown as Record<string, unknown>
}

it("1,000 concurrent deliveries: every valid unique one becomes one PromptRequest, duplicates and forgeries nothing", async () => {
  const total = 1_000
  const badCount = total * 0.05
  const duplicateCount = total * 0.1
  const validCount = total - badCount - duplicateCount
  const random = mulberry32(20_240_601)

  const valid: Delivery[] = Array.from({ length: validCount }, (_, n) => ({
    id: `flood-${n}`,
    kind: "valid",
    payload: commentPayload(n),
  }))
  const duplicates: Delivery[] = Array.from({ length: duplicateCount }, () => {
    const original = valid[Math.floor(random() * validCount)]
    if (original === undefined) throw new Error("no original")
    return { id: original.id, kind: "duplicate", payload: original.payload }
  })
  const forged: Delivery[] = Array.from({ length: badCount }, (_, i) => ({
    id: `forged-${i}`,
    kind: "bad-signature",
    payload: commentPayload(10_000 + i),
  }))
  const deliveries = [...valid, ...duplicates, ...forged]
  for (let i = deliveries.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1))
    const a = deliveries[i]
    const b = deliveries[j]
    if (a === undefined || b === undefined) throw new Error("shuffle out of range")
    deliveries[i] = b
    deliveries[j] = a
  }

  // GitHub: every call answered, every status comment counted by issue (nock 15 hands
  // reply functions the fetch Request).
  const statusComments = new Map<number, number>()
  const reactions = new Map<number, number>()
  let nextCommentId = 5_000_000
  nock(GITHUB)
    .persist()
    .get(`/repos/${REPO}/collaborators/Codertocat/permission`)
    .reply(200, { permission: "write", role_name: "write", user: { login: "Codertocat" } })
  nock(GITHUB)
    .persist()
    .post(/\/repos\/Codertocat\/Hello-World\/issues\/comments\/\d+\/reactions/)
    .reply(201, (request: Request) => {
      const id = Number(/comments\/(\d+)\/reactions/.exec(request.url)?.[1])
      reactions.set(id, (reactions.get(id) ?? 0) + 1)
      return { id: 1, content: "eyes" }
    })
  nock(GITHUB)
    .persist()
    .post(/\/repos\/Codertocat\/Hello-World\/issues\/\d+\/comments/)
    .reply(201, (request: Request) => {
      const issue = Number(/issues\/(\d+)\/comments/.exec(request.url)?.[1])
      statusComments.set(issue, (statusComments.get(issue) ?? 0) + 1)
      nextCommentId += 1
      return { id: nextCommentId, html_url: "x" }
    })
  const guard = recordUnexpected()

  const results: Array<{ delivery: Delivery; status: number; body: Record<string, unknown> }> = []
  let cursor = 0
  const worker = async () => {
    for (;;) {
      const delivery = deliveries[cursor]
      cursor += 1
      if (delivery === undefined) return
      const res = await h.send(
        "issue_comment",
        delivery.payload,
        delivery.kind === "bad-signature"
          ? { id: delivery.id, secret: "not-the-webhook-secret" }
          : { id: delivery.id },
      )
      results.push({ delivery, status: res.status, body: res.body })
    }
  }
  try {
    await Promise.all(Array.from({ length: 20 }, worker))
  } finally {
    guard.done()
    nock.cleanAll()
    mockInstallationToken()
  }
  expect(guard.unexpected).toEqual([])
  expect(results).toHaveLength(total)

  // Forgeries: 401, and not a trace in the database.
  const forgedResults = results.filter((r) => r.delivery.kind === "bad-signature")
  expect(new Set(forgedResults.map((r) => r.status))).toEqual(new Set([401]))
  const forgedIds = forged.map((d) => d.id)
  expect(
    await q("SELECT delivery_id FROM webhook_deliveries WHERE delivery_id = ANY($1)", [forgedIds]),
  ).toEqual([])
  expect(
    await q("SELECT id FROM prompt_requests WHERE issue_number >= $1", [20_000 + 10_000]),
  ).toEqual([])

  // Per delivery id: exactly one copy did the work, the others were told they were duplicates.
  const byId = new Map<string, typeof results>()
  for (const result of results.filter((r) => r.delivery.kind !== "bad-signature"))
    byId.set(result.delivery.id, [...(byId.get(result.delivery.id) ?? []), result])
  expect(byId.size).toBe(validCount)
  for (const [id, copies] of byId) {
    const processed = copies.filter((c) => c.body.outcome === "processed")
    const duplicate = copies.filter((c) => c.body.duplicate === true)
    expect({ id, processed: processed.length, duplicate: duplicate.length }).toEqual({
      id,
      processed: 1,
      duplicate: copies.length - 1,
    })
    for (const c of copies) expect(c.status).toBe(200)
  }

  // The database holds exactly the valid, unique deliveries, each with one request and one run.
  const [counts] = await q(
    `SELECT
       (SELECT count(*)::int FROM webhook_deliveries WHERE event = 'issue_comment') AS deliveries,
       (SELECT count(*)::int FROM prompt_requests) AS requests,
       (SELECT count(DISTINCT delivery_id)::int FROM prompt_requests) AS distinct_deliveries,
       (SELECT count(*)::int FROM workflow_runs WHERE state = 'queued' AND status_comment_id IS NOT NULL) AS runs`,
  )
  expect(counts).toEqual({
    deliveries: validCount,
    requests: validCount,
    distinct_deliveries: validCount,
    runs: validCount,
  })
  const stored = (await q("SELECT delivery_id FROM prompt_requests")).map((r) => r.delivery_id)
  expect(new Set(stored)).toEqual(new Set(valid.map((d) => d.id)))

  // On GitHub: one 👀 and one status comment per request, none for duplicates or forgeries.
  expect(statusComments.size).toBe(validCount)
  expect([...statusComments.values()].every((n) => n === 1)).toBe(true)
  expect(reactions.size).toBe(validCount)
  expect([...reactions.values()].every((n) => n === 1)).toBe(true)
}, 120_000)
