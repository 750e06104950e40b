// The model gateway on a loopback server in front of the scripted model
// server: run tokens, forwarding with the real key, streamed usage, budgets,
// retries, revocation, the relay socket, and what it costs in latency.
import { createServer, request as httpRequest, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import {
  endRuntimeSession,
  getRuntimeSession,
  insertRuntimeSession,
  listModelCalls,
} from "@patchplane/db"
import { Effect, Redacted } from "effect"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { serveGatewaySocket } from "../../src/runtime/gateway-relay.ts"
import { runTokenPattern, signRunToken, verifyRunToken } from "../../src/runtime/gateway-token.ts"
import {
  budgetExhaustedCode,
  createModelGateway,
  type ModelGatewayOptions,
  type ModelGatewayShape,
  SseRelay,
} from "../../src/runtime/model-gateway.ts"
import { say } from "../../dev/scripted-model/model-scripts.ts"
import {
  type ScriptStep,
  type ScriptedModelServer,
  startScriptedModelServer,
} from "../../dev/scripted-model/scripted-model-server.ts"
import { createWorld, type RuntimeWorld, seedRun } from "./harness.ts"

let world: RuntimeWorld
beforeAll(async () => {
  world = await createWorld("gateway")
})
afterAll(() => world.close())

interface Mounted {
  readonly provider: ScriptedModelServer
  readonly gateway: ModelGatewayShape
  readonly url: string
  close(): Promise<void>
}

const open: Array<Mounted> = []
afterEach(async () => {
  for (const mounted of open.splice(0)) await mounted.close()
})

/** The gateway mounted on its own loopback server, in front of a scripted provider. */
const mount = async (
  script: ReadonlyArray<ScriptStep>,
  options: Partial<ModelGatewayOptions> = {},
): Promise<Mounted> => {
  const provider = await startScriptedModelServer({ script })
  const gateway = createModelGateway({
    db: world.db.db,
    upstream: { baseUrl: provider.baseUrl, apiKey: Redacted.make(provider.apiKey) },
    secret: Redacted.make("gateway-test-secret"),
    pricing: { inputUsdPerMTok: 1, outputUsdPerMTok: 2 },
    retryBaseMs: 10,
    ...options,
  })
  const server: Server = createServer((req, res) => {
    void gateway.handle(req, res).then((handled) => {
      if (!handled) res.writeHead(418).end("not the gateway")
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const mounted: Mounted = {
    provider,
    gateway,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      await provider.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
  open.push(mounted)
  return mounted
}

/** POST to `path` over a unix socket; resolves with the status. */
const viaSocket = (socketPath: string, path: string) =>
  new Promise<number>((resolve, reject) => {
    const req = httpRequest({ socketPath, path, method: "POST" }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on("error", reject)
    req.end("{}")
  })

/** A run with an open session, and a token for it. */
const session = async (
  gateway: ModelGatewayShape,
  budget = { maxTokens: 1_000_000, maxCostUsd: 10 },
  expiresInMs = 60_000,
) => {
  const runId = await seedRun(world)
  const row = await insertRuntimeSession(world.db.db, {
    workflowRunId: runId,
    adapter: "pi",
    approvalPolicy: "escalate",
    sandboxPolicy: "none",
    timeoutSeconds: 60,
  })
  const token = gateway.issueRunToken({
    runId,
    sessionId: row.id,
    expiresAt: new Date(Date.now() + expiresInMs),
    budget,
  })
  return { runId, sessionId: row.id, token: Redacted.value(token) }
}

const chat = (mounted: Mounted, token: string | null, body: Record<string, unknown> = {}) =>
  fetch(`${mounted.url}/api/model-gateway/v1/chat/completions`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify({
      model: "scripted-model",
      messages: [{ role: "user", content: "hi" }],
      ...body,
    }),
  })

describe("model gateway", () => {
  it("refuses calls without a valid, live run token and never contacts the provider", async () => {
    const mounted = await mount([say("never")])
    const live = await session(mounted.gateway)
    const foreign = signRunToken(Buffer.from("another-secret"), {
      runId: live.runId,
      sessionId: live.sessionId,
      expiresAt: new Date(Date.now() + 60_000),
      budget: { maxTokens: 10, maxCostUsd: 1 },
    })
    const expired = await session(mounted.gateway, undefined, -1000)
    const ended = await session(mounted.gateway)
    await endRuntimeSession(world.db.db, ended.sessionId, {
      status: "completed",
      endReason: "completed",
    })
    const revoked = await session(mounted.gateway)
    mounted.gateway.revokeSession(revoked.sessionId)

    const cases: Array<[string | null, string]> = [
      [null, "patchplane_invalid_token"],
      [mounted.provider.apiKey, "patchplane_invalid_token"],
      [foreign, "patchplane_invalid_token"],
      [expired.token, "patchplane_invalid_token"],
      [ended.token, "patchplane_session_ended"],
      [revoked.token, "patchplane_session_ended"],
    ]
    for (const [token, code] of cases) {
      const response = await chat(mounted, token)
      expect(response.status).toBe(401)
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code)
    }
    expect(mounted.provider.requests).toHaveLength(0)
    // The live token does work.
    expect((await chat(mounted, live.token)).status).toBe(200)
  }, 30_000)

  it("streams the provider's answer through with the real key and records its usage", async () => {
    const mounted = await mount([say("Hello from upstream")])
    const live = await session(mounted.gateway)
    const response = await chat(mounted, live.token, { stream: true })
    expect(response.status).toBe(200)
    expect(response.headers.get("content-type")).toContain("text/event-stream")
    const body = await response.text()
    expect(body).toContain('"content":"Hello fro')
    expect(body).toContain('"usage":{"prompt_tokens":100,"completion_tokens":20')
    expect(body.trim().endsWith("data: [DONE]")).toBe(true)

    const [seen] = mounted.provider.requests
    expect(seen?.authorization).toBe(`Bearer ${mounted.provider.apiKey}`)
    // The gateway asks for usage even when the client did not.
    expect(seen?.body.stream_options).toEqual({ include_usage: true })

    const calls = await listModelCalls(world.db.db, live.runId)
    expect(calls).toHaveLength(1)
    expect(calls[0]).toMatchObject({
      runtimeSessionId: live.sessionId,
      model: "scripted-model",
      status: 200,
      inputTokens: 100,
      outputTokens: 20,
    })
    expect(calls[0]?.costUsd).toBeCloseTo(0.00014, 10)
    const row = await getRuntimeSession(world.db.db, live.sessionId)
    expect(row).toMatchObject({ inputTokens: 100, outputTokens: 20 })
  }, 30_000)

  it("forwards non-streaming calls and prefers the provider's own cost figure", async () => {
    const mounted = await mount([
      {
        kind: "text",
        text: "priced",
        usage: { promptTokens: 7, completionTokens: 3, costUsd: 0.25 },
      },
    ])
    const live = await session(mounted.gateway)
    const response = await chat(mounted, live.token)
    const json = (await response.json()) as { choices: Array<{ message: { content: string } }> }
    expect(json.choices[0]?.message.content).toBe("priced")
    const [call] = await listModelCalls(world.db.db, live.runId)
    expect(call).toMatchObject({ inputTokens: 7, outputTokens: 3, costUsd: 0.25, status: 200 })
  }, 30_000)

  it("refuses further calls once the token or the cost budget is spent (429, not retryable)", async () => {
    const mounted = await mount([say("one"), say("two"), say("three"), say("four")])
    const byTokens = await session(mounted.gateway, { maxTokens: 150, maxCostUsd: 10 })
    expect((await chat(mounted, byTokens.token)).status).toBe(200)
    expect((await chat(mounted, byTokens.token)).status).toBe(200)
    const refused = await chat(mounted, byTokens.token)
    expect(refused.status).toBe(429)
    expect(refused.headers.get("x-should-retry")).toBe("false")
    const error = ((await refused.json()) as { error: { code: string; message: string } }).error
    expect(error.code).toBe(budgetExhaustedCode)
    expect(error.message).toContain("token budget spent (240 of 150 tokens)")

    const byCost = await session(mounted.gateway, { maxTokens: 1_000_000, maxCostUsd: 0.0001 })
    expect((await chat(mounted, byCost.token)).status).toBe(200)
    const overCost = await chat(mounted, byCost.token)
    expect(overCost.status).toBe(429)
    expect(((await overCost.json()) as { error: { message: string } }).error.message).toContain(
      "cost budget spent",
    )
    // Refusals are recorded too, and the provider only saw the calls within budget.
    expect((await listModelCalls(world.db.db, byTokens.runId)).map((c) => c.status)).toEqual([
      200, 200, 429,
    ])
    expect(mounted.provider.requests).toHaveLength(3)
  }, 30_000)

  it("caps an answer's max tokens at what is left of the budget", async () => {
    const mounted = await mount([say("one"), say("two")])
    const live = await session(mounted.gateway, { maxTokens: 1000, maxCostUsd: 10 })
    await chat(mounted, live.token, { max_completion_tokens: 5000 })
    await chat(mounted, live.token, { max_tokens: 300 })
    expect(mounted.provider.requests[0]?.body.max_completion_tokens).toBe(1000)
    // 120 spent: 880 left, more than the 300 asked for.
    expect(mounted.provider.requests[1]?.body.max_tokens).toBe(300)
  }, 30_000)

  it("retries the provider on 503 before answering, and records one call", async () => {
    const mounted = await mount([
      { kind: "error", status: 503, message: "overloaded" },
      say("second time lucky"),
    ])
    const live = await session(mounted.gateway)
    const response = await chat(mounted, live.token)
    expect(response.status).toBe(200)
    expect(mounted.provider.requests).toHaveLength(2)
    expect((await listModelCalls(world.db.db, live.runId)).map((c) => c.status)).toEqual([200])
  }, 30_000)

  it("passes provider errors through and records them", async () => {
    const mounted = await mount([{ kind: "error", status: 400, message: "bad tool schema" }])
    const live = await session(mounted.gateway)
    const response = await chat(mounted, live.token)
    expect(response.status).toBe(400)
    expect(await response.text()).toContain("bad tool schema")
    expect((await listModelCalls(world.db.db, live.runId)).map((c) => c.status)).toEqual([400])
  }, 30_000)

  it("stops the provider call when the client goes away mid-stream, and records it as 499", async () => {
    const mounted = await mount([{ kind: "hang", text: "thinking" }])
    const live = await session(mounted.gateway)
    const client = new AbortController()
    const response = await fetch(`${mounted.url}/api/model-gateway/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${live.token}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "scripted-model", stream: true, messages: [] }),
      signal: client.signal,
    })
    const reader = response.body!.getReader()
    const first = new TextDecoder().decode((await reader.read()).value)
    expect(first).toContain("thinking")
    client.abort()
    let calls = await listModelCalls(world.db.db, live.runId)
    for (let waited = 0; calls.length === 0 && waited < 5000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      calls = await listModelCalls(world.db.db, live.runId)
    }
    expect(calls.map((call) => call.status)).toEqual([499])
  }, 30_000)

  it("cuts off a provider that falls silent mid-stream, and records it as 504", async () => {
    const mounted = await mount([{ kind: "hang", text: "thinking" }], {
      upstreamIdleTimeoutMs: 300,
    })
    const live = await session(mounted.gateway)
    const response = await chat(mounted, live.token, { stream: true })
    expect(response.status).toBe(200)
    // The agent sees the stream cut instead of waiting out its turn.
    const reader = response.body!.getReader()
    expect(new TextDecoder().decode((await reader.read()).value)).toContain("thinking")
    await expect(reader.read()).rejects.toThrow(/terminated/)
    let calls = await listModelCalls(world.db.db, live.runId)
    for (let waited = 0; calls.length === 0 && waited < 5000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      calls = await listModelCalls(world.db.db, live.runId)
    }
    expect(calls.map((call) => call.status)).toEqual([504])
  }, 30_000)

  it("answers only under its base path", async () => {
    const mounted = await mount([])
    const other = await fetch(`${mounted.url}/api/health`)
    expect(other.status).toBe(418)
    const models = await fetch(`${mounted.url}/api/model-gateway/v1/models`)
    expect(models.status).toBe(404)
  }, 30_000)

  it("on its relay socket, serves the gateway and nothing else", async () => {
    const mounted = await mount([])
    const statuses = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const socket = yield* serveGatewaySocket(mounted.gateway, world.baseDir)
          const path = join(socket.hostDir, socket.socketName)
          return yield* Effect.promise(async () => [
            await viaSocket(path, "/api/model-gateway/v1/chat/completions"),
            await viaSocket(path, "/api/github/webhooks"),
          ])
        }),
      ),
    )
    expect(statuses).toEqual([401, 404])
  }, 30_000)

  it("adds little latency: p50 through the gateway vs straight to the provider", async () => {
    const rounds = 30
    const mounted = await mount(Array.from({ length: rounds }, () => say("fast")))
    const direct = await startScriptedModelServer({
      script: Array.from({ length: rounds }, () => say("fast")),
    })
    const live = await session(mounted.gateway)
    const time = async (call: () => Promise<Response>) => {
      const samples: Array<number> = []
      for (let i = 0; i < rounds; i += 1) {
        const started = performance.now()
        const response = await call()
        await response.text()
        expect(response.status).toBe(200)
        samples.push(performance.now() - started)
      }
      return samples.toSorted((a, b) => a - b)[Math.floor(rounds / 2)] ?? 0
    }
    const viaGateway = await time(() => chat(mounted, live.token, { stream: true }))
    const straight = await time(() =>
      fetch(`${direct.baseUrl}/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${direct.apiKey}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "m", stream: true, messages: [] }),
      }),
    )
    await direct.close()
    console.log(
      `gateway p50 ${viaGateway.toFixed(1)} ms vs direct p50 ${straight.toFixed(1)} ms (overhead ${(viaGateway - straight).toFixed(1)} ms)`,
    )
    expect(viaGateway - straight).toBeLessThan(100)
  }, 60_000)
})

describe("run tokens", () => {
  const secret = Buffer.from("token-secret")
  const claims = {
    runId: "3f1e1c2a-0000-4000-8000-000000000001",
    sessionId: "3f1e1c2a-0000-4000-8000-000000000002",
    expiresAt: new Date(Date.now() + 60_000),
    budget: { maxTokens: 1000, maxCostUsd: 1.5 },
  }

  it("carries its claims, and is neither a shell command nor a variable name to Pi", () => {
    const token = signRunToken(secret, claims)
    expect(token).toMatch(runTokenPattern)
    expect(token.startsWith("!")).toBe(false)
    expect(/^[A-Za-z_][A-Za-z0-9_]*$/.test(token)).toBe(false)
    expect(verifyRunToken(secret, token, new Date())).toEqual({ ok: true, claims })
    expect(signRunToken(secret, claims)).not.toBe(token)
  })

  it("rejects a changed payload, another secret, and expiry", () => {
    const token = signRunToken(secret, claims)
    const [prefix, payload, signature] = token.split(".")
    const forged = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(payload!, "base64url").toString()),
        t: 10_000_000,
      }),
    ).toString("base64url")
    expect(verifyRunToken(secret, `${prefix}.${forged}.${signature}`, new Date())).toEqual({
      ok: false,
      reason: "bad-signature",
    })
    expect(verifyRunToken(Buffer.from("other"), token, new Date()).ok).toBe(false)
    expect(verifyRunToken(secret, token, new Date(Date.now() + 120_000))).toEqual({
      ok: false,
      reason: "expired",
    })
    expect(verifyRunToken(secret, "sk-not-a-token", new Date())).toEqual({
      ok: false,
      reason: "malformed",
    })
  })
})

describe("SSE relay", () => {
  it("passes complete lines on at once, holds back [DONE], and finds the usage", () => {
    const relay = new SseRelay()
    expect(relay.push('data: {"choices":[{"delta":{"content":"hi"}}]}\r\n\r\ndata: {"cho')).toBe(
      'data: {"choices":[{"delta":{"content":"hi"}}]}\r\n\r\n',
    )
    expect(
      relay.push('ices":[],"usage":{"prompt_tokens":5,"completion_tokens":2,"cost":0.1}}\n\nda'),
    ).toBe('data: {"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2,"cost":0.1}}\n\n')
    expect(relay.push("ta: [DONE]\n\n")).toBe("")
    expect(relay.usage).toEqual({ inputTokens: 5, outputTokens: 2, costUsd: 0.1 })
    expect(relay.end()).toBe("data: [DONE]\n\n")
  })
})
