// The local Daytona's own fidelity: it reads Daytona's generated client
// models, refuses what they do not allow, answers what they require, goes
// through a real sandbox's states, and refuses beyond the quota.
import { Effect, Redacted } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { modelShape } from "../../dev/daytona-stand-in/contract.ts"
import { type DaytonaStandIn, startDaytonaStandIn } from "../../dev/daytona-stand-in/server.ts"
import { ExecutionAdapter } from "../../src/execution/execution-adapter.ts"
import { failureOf, profile } from "../execution/helpers.ts"

let daytona: DaytonaStandIn
const key = "dtn_fidelity"

beforeEach(async () => {
  daytona = await startDaytonaStandIn({
    apiKey: key,
    snapshots: { plain: { pi: null } },
    maxSandboxes: 1,
  })
})
afterEach(async () => {
  await daytona.close()
})

const call = async (
  path: string,
  init: { method?: string; body?: unknown; auth?: string } = {},
) => {
  const res = await fetch(`${daytona.apiUrl.replace(/\/api$/, "")}${path}`, {
    method: init.method ?? "GET",
    headers: {
      authorization: `Bearer ${init.auth ?? key}`,
      "content-type": "application/json",
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  })
  const text = await res.text()
  return {
    status: res.status,
    body: text === "" ? null : (JSON.parse(text) as Record<string, unknown>),
  }
}

const started = async (id: string) => {
  const states: Array<unknown> = []
  for (let i = 0; i < 100; i++) {
    const state = (await call(`/api/sandbox/${id}`)).body?.state
    if (states.at(-1) !== state) states.push(state)
    if (state === "started") return states
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`never started: ${JSON.stringify(states)}`)
}

describe("the local Daytona", () => {
  it("reads the request and response models from Daytona's generated clients", () => {
    const execute = modelShape("@daytona/toolbox-api-client", "SessionExecuteRequest")
    expect(execute.required).toEqual(["command"])
    expect([...execute.known]).toEqual(
      expect.arrayContaining(["command", "runAsync", "async", "suppressInputEcho"]),
    )
    const sandbox = modelShape("@daytona/api-client", "Sandbox")
    expect(sandbox.required).toEqual(expect.arrayContaining(["id", "toolboxProxyUrl", "target"]))
    expect(sandbox.required).not.toContain("state")
  })

  it("goes creating → starting → started, with answers that fit Daytona's Sandbox model", async () => {
    const created = await call("/api/sandbox", {
      method: "POST",
      body: { snapshot: "plain", labels: { a: "b" }, networkBlockAll: true },
    })
    expect(created.status).toBe(200)
    expect(created.body).toMatchObject({ state: "creating", labels: { a: "b" } })
    const states = await started(String(created.body?.id))
    expect(states.at(-1)).toBe("started")
    expect(states).not.toContain("error")
  })

  it("refuses what Daytona refuses: a wrong key, a body its model does not allow, an unknown snapshot", async () => {
    expect((await call("/api/sandbox", { method: "POST", body: {}, auth: "wrong" })).status).toBe(
      401,
    )
    const unknownField = await call("/api/sandbox", { method: "POST", body: { image2: "x" } })
    expect(unknownField).toMatchObject({ status: 400 })
    expect(String(unknownField.body?.message)).toContain("CreateSandbox: unknown field image2")
    expect(
      (await call("/api/sandbox", { method: "POST", body: { snapshot: "nope" } })).status,
    ).toBe(404)
    const created = await call("/api/sandbox", { method: "POST", body: { snapshot: "plain" } })
    const id = String(created.body?.id)
    await started(id)
    const noSession = await call(`/toolbox/${id}/process/session`, { method: "POST", body: {} })
    expect(noSession.status).toBe(400)
    expect(String(noSession.body?.message)).toContain(
      "CreateSessionRequest: missing required sessionId",
    )
  })

  it("refuses a create beyond the quota with 403, which PatchPlane does not retry", async () => {
    const first = await call("/api/sandbox", { method: "POST", body: { snapshot: "plain" } })
    expect(first.status).toBe(200)
    const error = await failureOf(
      ExecutionAdapter.layerDaytona({
        apiUrl: daytona.apiUrl,
        apiKey: Redacted.make(key),
        target: "us",
        retryDelay: "10 millis",
      }),
    )(
      Effect.gen(function* () {
        return yield* ExecutionAdapter.scoped({
          runId: "over-quota",
          profile: profile({ snapshot: "plain" }),
        })
      }),
    )
    expect(String((error as { message?: unknown }).message)).toMatch(/HTTP 403.*quota exceeded/)
    const creates = daytona.requests.filter((r) => r.method === "POST" && r.path === "/api/sandbox")
    expect(creates).toHaveLength(2)
  })
})
