// Deliveries that are not what the intake expects, beyond what
// intake/webhooks.test.ts already checks (wrong content type 415, missing
// headers 400, malformed JSON 400, a declared oversized body 413): a body
// that streams past the limit without declaring its length, JSON that is not
// an object, the wrong method, events PatchPlane has no handler for, and a
// signed event whose payload lacks what the handler reads.
import { request } from "node:http"
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest"
import {
  example,
  type Harness,
  recordUnexpected,
  sign,
  startInstalledHarness,
} from "../intake/harness.ts"

let h: Harness
let guard: ReturnType<typeof recordUnexpected>
const LIMIT = 64 * 1024

beforeAll(async () => {
  h = await startInstalledHarness({ maxBodyBytes: LIMIT })
}, 60_000)
afterAll(async () => {
  await h?.stop()
})
beforeEach(() => {
  guard = recordUnexpected()
})
afterEach(() => {
  guard.done()
  // None of these deliveries may call GitHub at all.
  if (guard.unexpected.length > 0)
    throw new Error(`unexpected GitHub requests: ${guard.unexpected.join(", ")}`)
})

const count = async (table: "webhook_deliveries" | "prompt_requests") =>
  Number((await h.db.pool.query(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n)
const snapshot = async () => ({
  deliveries: await count("webhook_deliveries"),
  requests: await count("prompt_requests"),
})

/** POSTs `chunks` with chunked transfer encoding: no content-length is declared. */
const sendChunked = (chunks: ReadonlyArray<string>) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const url = new URL(`${h.app.url}/api/github/webhooks`)
    const req = request(
      {
        host: url.hostname === "localhost" ? "127.0.0.1" : url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        headers: {
          "content-type": "application/json",
          "transfer-encoding": "chunked",
          "x-github-event": "issue_comment",
          "x-github-delivery": crypto.randomUUID(),
          "x-hub-signature-256": sign(chunks.join("")),
        },
      },
      (res) => {
        let body = ""
        res.on("data", (c: Buffer) => (body += c.toString()))
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }))
      },
    )
    // The server may answer and close before the whole body is written.
    req.on("error", (error: NodeJS.ErrnoException) => {
      if (!["EPIPE", "ECONNRESET"].includes(error.code ?? "")) reject(error)
    })
    const write = (i: number): void => {
      const chunk = chunks[i]
      if (chunk === undefined) {
        req.end()
        return
      }
      if (!req.destroyed) req.write(chunk, () => setImmediate(() => write(i + 1)))
    }
    write(0)
  })

describe("refused before anything is stored", () => {
  it("a body that streams past the limit without a content-length answers 413", async () => {
    const before = await snapshot()
    const filler = "x".repeat(16 * 1024)
    const chunks = ['{"action":"created","zen":"', ...Array<string>(8).fill(filler), '"}']
    const res = await sendChunked(chunks)
    expect(res.status).toBe(413)
    expect(JSON.parse(res.body)).toEqual({ error: `body exceeds ${LIMIT} bytes` })
    expect(await snapshot()).toEqual(before)
    // The server is fine afterwards.
    expect((await fetch(`${h.app.url}/api/health`)).status).toBe(200)
  })

  it("signed JSON that is not an object answers 400", async () => {
    const before = await snapshot()
    for (const body of ["[]", "null", '"/patchplane hi"', "42"]) {
      const res = await h.send("issue_comment", body)
      expect(res.status).toBe(400)
      expect(res.body).toEqual({ error: "malformed JSON body: not a JSON object" })
    }
    expect(await snapshot()).toEqual(before)
  })

  it("any method but POST answers 405 and names the allowed one", async () => {
    const before = await snapshot()
    for (const method of ["GET", "PUT", "DELETE"]) {
      const res = await fetch(`${h.app.url}/api/github/webhooks`, { method })
      expect(res.status).toBe(405)
      expect(res.headers.get("allow")).toBe("POST")
    }
    expect(await snapshot()).toEqual(before)
  })
})

describe("events PatchPlane does not handle", () => {
  // GitHub shows any non-2xx answer as a failed delivery in the App's settings,
  // and an App receives every event it subscribes to (plus `ping`), so an event
  // with no handler is acknowledged with 200 and recorded as ignored (for the
  // delivery log and redelivery dedup), never acted on.
  it("answer 200 ignored, are recorded once with why, and start nothing", async () => {
    const before = await snapshot()
    const cases: ReadonlyArray<[string, Record<string, unknown>, string]> = [
      ["star", example("star", "created"), "no handler for star.created"],
      ["ping", { zen: "Keep it logically awesome.", hook_id: 1 }, "no handler for ping"],
      [
        "issue_comment",
        { ...example("issue_comment", "deleted"), comment: { body: "/patchplane do it" } },
        "no handler for issue_comment.deleted",
      ],
      [
        "made_up_event",
        { action: "exploded", hello: "world" },
        "no handler for made_up_event.exploded",
      ],
    ]
    for (const [event, payload, why] of cases) {
      const res = await h.send(event, payload)
      expect(res).toMatchObject({ status: 200, body: { ok: true, outcome: "ignored" } })
      const { rows } = await h.db.pool.query(
        "SELECT event, outcome, error FROM webhook_deliveries WHERE delivery_id = $1",
        [res.id],
      )
      expect(rows).toEqual([{ event, outcome: "ignored", error: why }])
      const again = await h.send(event, payload, { id: res.id })
      expect(again.body).toEqual({ ok: true, duplicate: true })
    }
    expect(await snapshot()).toEqual({
      deliveries: before.deliveries + cases.length,
      requests: before.requests,
    })
  })
})

describe("a signed delivery whose payload lacks what the handler reads", () => {
  // A 500 would make GitHub show a failed delivery and invite redelivery of a
  // payload that can never be read: it is acknowledged, recorded as ignored
  // with the decode error, and starts nothing.
  it("answers 200, is recorded as ignored with the missing field, and starts nothing", async () => {
    const before = await snapshot()
    const payload = example("issue_comment", "created")
    ;(payload.comment as { body: string }).body = "/patchplane fix it"
    delete payload.issue
    const res = await h.send("issue_comment", payload)
    expect(res).toMatchObject({ status: 200, body: { ok: true, outcome: "ignored" } })
    const { rows } = await h.db.pool.query(
      "SELECT outcome, error FROM webhook_deliveries WHERE delivery_id = $1",
      [res.id],
    )
    expect(rows).toEqual([
      { outcome: "ignored", error: expect.stringMatching(/^payload not understood: .*issue/s) },
    ])
    expect(await snapshot()).toEqual({
      deliveries: before.deliveries + 1,
      requests: before.requests,
    })
  })
})

describe("payload shapes GitHub's webhook schema allows", () => {
  it("an installation on an enterprise account (no login, no type) is stored under its slug", async () => {
    const payload = example("installation", "created")
    const installation = payload.installation as Record<string, unknown>
    payload.installation = {
      ...installation,
      id: 424_242,
      account: {
        id: 9_001,
        slug: "acme-corp",
        name: "Acme Corp",
        node_id: "E_kgDNIyk",
        html_url: "https://github.com/enterprises/acme-corp",
        avatar_url: "https://avatars.githubusercontent.com/b/9001",
        website_url: null,
        description: null,
        created_at: "2024-01-01T00:00:00Z",
        updated_at: "2024-01-01T00:00:00Z",
      },
    }
    const res = await h.send("installation", payload)
    expect(res.status).toBe(200)
    const { rows } = await h.db.pool.query(
      "SELECT account_login, account_type FROM github_installations WHERE installation_id = $1",
      [424_242],
    )
    expect(rows).toEqual([{ account_login: "acme-corp", account_type: "Enterprise" }])
  })

  it("a comment whose user is null (a deleted account) is read, not refused", async () => {
    const payload = example("issue_comment", "created")
    ;(payload.comment as { body: string; user: unknown }).user = null
    ;(payload.comment as { body: string }).body = "Thanks, looks good."
    const res = await h.send("issue_comment", payload)
    expect(res.status).toBe(200)
    const { rows } = await h.db.pool.query(
      "SELECT outcome, error FROM webhook_deliveries WHERE delivery_id = $1",
      [res.id],
    )
    expect(rows).toHaveLength(1)
    expect(rows[0]?.outcome).toBe("ignored")
    expect(String(rows[0]?.error)).not.toMatch(/not understood/)
  })
})
