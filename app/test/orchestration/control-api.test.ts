// The control API and live streams over real HTTP: roles, Schema-checked
// bodies, errors with a code and the bad field, keyset pages, SSE in order and
// resumable with Last-Event-ID.
import { appendRuntimeEvents, listRuntimeEvents } from "@patchplane/db"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type OrchestrationHarness, startOrchestrationHarness } from "./harness.ts"
import { type ScriptedSteps, scriptedSteps } from "./scripted-steps.ts"

let h: OrchestrationHarness
let steps: ScriptedSteps
const VIEWER = "viewer-token-1234567890"
const REVIEWER = "reviewer-token-1234567890"

beforeAll(async () => {
  h = await startOrchestrationHarness(
    (db) => {
      steps = scriptedSteps(db, { agentMs: 60_000 })
      return steps
    },
    {
      api: {
        tokens: [
          { name: "ci-viewer", token: VIEWER, role: "viewer" },
          { name: "night-shift", token: REVIEWER, role: "reviewer" },
        ],
      },
    },
  )
}, 60_000)
afterAll(() => h?.stop())

/** Without a token of its own a call is the local operator's (this start's local token). */
const api = async (path: string, init: RequestInit & { token?: string | null } = {}) => {
  const headers = new Headers(init.headers)
  const token = init.token === undefined ? h.app.localOperator?.token : init.token
  if (token) headers.set("authorization", `Bearer ${token}`)
  if (init.body) headers.set("content-type", "application/json")
  const res = await fetch(`${h.app.url}${path}`, { ...init, headers })
  return { status: res.status, body: (await res.json()) as Record<string, any> }
}

const operator = () => ({ authorization: `Bearer ${h.app.localOperator?.token}` })

describe("starting runs", () => {
  it("POST /api/prompts stores a request and queues a run", async () => {
    const { repositoryId } = await h.seedRequest({ repo: "acme/api-start" })
    void repositoryId
    const res = await api("/api/prompts", {
      method: "POST",
      token: REVIEWER,
      body: JSON.stringify({
        repository: "acme/api-start",
        prompt: "add a CHANGELOG<!-- and more -->",
      }),
    })
    expect(res.status).toBe(201)
    expect(Object.keys(res.body).toSorted()).toEqual(["promptRequestId", "runId"])
    const detail = await api(`/api/runs/${res.body.runId}`, { token: VIEWER })
    expect(detail.status).toBe(200)
    expect(detail.body.request).toMatchObject({
      prompt: "add a CHANGELOG",
      promptRaw: "add a CHANGELOG<!-- and more -->",
      sourceChannel: "app",
      targetRef: "main",
      initiator: { kind: "dashboard", userId: "token:night-shift", name: "night-shift" },
    })
    expect(detail.body.repository.fullName).toBe("acme/api-start")
    await api(`/api/runs/${res.body.runId}/cancel`, { method: "POST", token: REVIEWER, body: "{}" })
  })

  it("names the bad field and refuses unknown repositories", async () => {
    const bad = await api("/api/prompts", {
      method: "POST",
      token: REVIEWER,
      body: JSON.stringify({ repository: "acme/x", prompt: 42 }),
    })
    expect(bad.status).toBe(400)
    expect(bad.body.error).toMatchObject({ code: "invalid_body", path: "prompt" })
    const unknown = await api("/api/prompts", {
      method: "POST",
      token: REVIEWER,
      body: JSON.stringify({ repository: "nobody/nothing", prompt: "hi" }),
    })
    expect(unknown.status).toBe(404)
    expect(unknown.body.error.code).toBe("repository_not_connected")
    const junk = await api("/api/prompts", { method: "POST", token: REVIEWER, body: "{oops" })
    expect(junk.body.error.code).toBe("malformed_json")
  })
})

describe("roles", () => {
  it("a viewer reads but cannot cancel; a reviewer can; a wrong token is refused", async () => {
    const queued = await h.enqueue()
    await h.waitForState(queued.id, ["running"])
    const denied = await api(`/api/runs/${queued.id}/cancel`, {
      method: "POST",
      token: VIEWER,
      body: "{}",
    })
    expect(denied.status).toBe(403)
    expect(denied.body.error).toEqual({
      code: "forbidden",
      message: "cancel needs the reviewer role; you are a viewer",
    })
    expect((await api(`/api/runs/${queued.id}`, { token: VIEWER })).body.run.state).toBe("running")
    const cancelled = await api(`/api/runs/${queued.id}/cancel`, {
      method: "POST",
      token: REVIEWER,
      body: JSON.stringify({ reason: "wrong repository" }),
    })
    expect(cancelled.status).toBe(200)
    expect(cancelled.body.run).toMatchObject({ state: "cancelled", reason: "wrong repository" })
    const again = await api(`/api/runs/${queued.id}/cancel`, {
      method: "POST",
      token: REVIEWER,
      body: "{}",
    })
    expect(again.status).toBe(409)
    expect(again.body.error.code).toBe("not_allowed_now")
    const stranger = await api("/api/runs", { token: "nope" })
    expect(stranger.status).toBe(401)
    const pause = await api("/api/control/pause", { method: "POST", token: REVIEWER, body: "{}" })
    expect(pause.status).toBe(403)
  }, 30_000)

  it("is not the local operator's for being on this machine: loopback without the local token gets 401", async () => {
    // What a run's sandbox or a git hook could send: loopback, a loopback Host, no secret.
    const pause = await api("/api/control/pause", { method: "POST", token: null, body: "{}" })
    expect(pause.status).toBe(401)
    expect(pause.body.error.message).toContain("sign-in URL")
    expect((await api("/api/runs", { token: null })).status).toBe(401)
    expect((await api("/api/control", { token: "not-the-local-token" })).status).toBe(401)
    expect((await api("/api/control")).body).toEqual({ paused: false })
  })

  it("signs a browser in from the printed URL: an HttpOnly, SameSite=Strict cookie and a redirect without the token", async () => {
    const local = h.app.localOperator
    expect(local?.signInUrl).toBe(`${h.app.url}/?token=${local?.token}`)
    const visit = await fetch(`${h.app.url}/runs?token=${local?.token}`, { redirect: "manual" })
    expect(visit.status).toBe(303)
    expect(visit.headers.get("location")).toBe("/runs")
    const cookie = visit.headers.get("set-cookie") ?? ""
    expect(cookie).toMatch(/^patchplane_local_\d+=[^;]+; Path=\/; HttpOnly; SameSite=Strict$/)
    const withCookie = await fetch(`${h.app.url}/api/runs`, {
      headers: { cookie: cookie.split(";")[0] ?? "" },
    })
    expect(withCookie.status).toBe(200)
    const wrong = await fetch(`${h.app.url}/?token=guess`, { redirect: "manual" })
    expect(wrong.status).toBe(403)
    expect(wrong.headers.get("set-cookie")).toBeNull()
  })
})

describe("listing runs", () => {
  it("pages newest first without repeats and filters by repository and state", async () => {
    const ids: string[] = []
    for (let i = 0; i < 5; i++) ids.push((await h.enqueue({ repo: "acme/paged" })).id)
    const seen: string[] = []
    let cursor: string | null = ""
    while (cursor !== null) {
      const page = await api(
        `/api/runs?repo=acme/paged&limit=2${cursor ? `&cursor=${cursor}` : ""}`,
      )
      seen.push(...page.body.runs.map((r: { id: string }) => r.id))
      cursor = page.body.nextCursor
    }
    expect(seen).toEqual(ids.toReversed())
    const bad = await api("/api/runs?state=bogus")
    expect(bad.body.error).toMatchObject({ code: "invalid_query", path: "state" })
    for (const id of ids) await api(`/api/runs/${id}/cancel`, { method: "POST", body: "{}" })
    const cancelled = await api("/api/runs?repo=acme/paged&state=cancelled&limit=50")
    expect(cancelled.body.runs).toHaveLength(5)
  }, 30_000)
})

/** Reads SSE frames from a response until `count` frames of `event` arrived. */
const readFrames = async (res: Response, event: string, count: number) => {
  const reader = res.body!.getReader()
  const decoder = new TextDecoder()
  const frames: Array<{ id?: string; event: string; data: any }> = []
  let buffer = ""
  while (frames.filter((f) => f.event === event).length < count) {
    const { value, done } = await reader.read()
    if (done) break
    buffer += decoder.decode(value, { stream: true })
    let end: number
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const raw = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      const frame: { id?: string; event: string; data: any } = { event: "message", data: null }
      for (const line of raw.split("\n")) {
        if (line.startsWith("id: ")) frame.id = line.slice(4)
        else if (line.startsWith("event: ")) frame.event = line.slice(7)
        else if (line.startsWith("data: ")) frame.data = JSON.parse(line.slice(6))
      }
      if (frame.data !== null) frames.push(frame)
    }
  }
  await reader.cancel()
  return frames.filter((f) => f.event === event)
}

describe("live events", () => {
  it("streams a run's events in order as they are stored, and resumes after Last-Event-ID", async () => {
    const queued = await h.enqueue()
    await h.waitForState(queued.id, ["running"])
    // The scripted agent stores its first two events as it starts; ours come after.
    await expect.poll(async () => (await listRuntimeEvents(h.db.db, queued.id)).length).toBe(2)
    const live = await fetch(`${h.app.url}/api/runs/${queued.id}/events`, { headers: operator() })
    expect(live.headers.get("content-type")).toMatch(/^text\/event-stream/)
    const first = readFrames(live, "runtime-event", 5)
    // The scripted agent stored 2 events; 3 more arrive while we listen.
    await appendRuntimeEvents(h.db.db, queued.id, [
      { kind: "message", payload: { kind: "message", role: "assistant", text: "a" } },
      { kind: "message", payload: { kind: "message", role: "assistant", text: "b" } },
    ])
    await appendRuntimeEvents(h.db.db, queued.id, [
      { kind: "message", payload: { kind: "message", role: "assistant", text: "c" } },
    ])
    const frames = await first
    expect(frames.map((f) => f.id)).toEqual(["1", "2", "3", "4", "5"])
    expect(frames.map((f) => f.data.kind)).toEqual([
      "session.started",
      "turn.started",
      "message",
      "message",
      "message",
    ])

    const resumed = await fetch(`${h.app.url}/api/runs/${queued.id}/events`, {
      headers: { "last-event-id": "3", ...operator() },
    })
    const rest = await readFrames(resumed, "runtime-event", 2)
    expect(rest.map((f) => f.id)).toEqual(["4", "5"])
    expect(rest.map((f) => f.data.payload.text)).toEqual(["b", "c"])
    await api(`/api/runs/${queued.id}/cancel`, { method: "POST", body: "{}" })
  }, 30_000)

  it("tells the list view about every run's state changes", async () => {
    const res = await fetch(`${h.app.url}/api/events`, { headers: operator() })
    const frames = readFrames(res, "run", 2)
    await new Promise((r) => setTimeout(r, 100))
    const queued = await h.enqueue()
    const seen = await frames
    expect(seen.map((f) => f.data)).toEqual([
      { runId: queued.id, state: "queued", repositoryId: queued.repositoryId },
      { runId: queued.id, state: "provisioning", repositoryId: queued.repositoryId },
    ])
    await h.waitForState(queued.id, ["running"])
    await api(`/api/runs/${queued.id}/cancel`, { method: "POST", body: "{}" })
  }, 30_000)
})
