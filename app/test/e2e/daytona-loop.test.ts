// The whole loop on Daytona (sandbox.backend "daytona") against the local
// Daytona: a signed comment → a Daytona sandbox created through the SDK (a 5xx
// first, retried; creating → starting → started) → the real Pi from the
// sandbox's image, in RPC mode over the session API, calling the model
// gateway on PatchPlane's own HTTP server → PatchSet → push through Daytona's
// git API → draft PR → review → decision. Then: no secret of the control
// plane is in the sandbox (its files and its processes' environments), a
// cancel mid-run deletes the sandbox within 2 s, and a sandbox that dies
// mid-run fails the run with Daytona's reason, its record kept.
import { latestMergeDecision, listPatchSets } from "@patchplane/db"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { agentsSnapshot } from "../../dev/daytona-stand-in/local-daytona.ts"
import type { DaytonaStandIn } from "../../dev/daytona-stand-in/server.ts"
import { REPOSITORY } from "../../dev/local-world.ts"
import { callTools, contributingScript, toolCall } from "../../dev/scripted-model/model-scripts.ts"
import { type Loop, startLoop } from "./harness.ts"
import {
  controlPlaneSecrets,
  leaked,
  sandboxOf,
  secretsInSandbox,
  sentToDaytona,
} from "./sandbox-scan.ts"

let loop: Loop
let daytona: DaytonaStandIn

beforeAll(async () => {
  loop = await startLoop("daytona", { daytona: true })
  daytona = loop.world.daytona as DaytonaStandIn
}, 120_000)

afterAll(async () => {
  await loop?.stop()
})

/** The agent's first move is a long shell command: the moment to look in, or to interrupt. */
const slowStart = (seconds: number) =>
  callTools(toolCall("bash", { command: `sleep ${seconds} && echo slept` }, "call_sleep"))

describe("the whole loop on Daytona", () => {
  it("turns a /patchplane comment into a reviewed PR, the agent in a Daytona sandbox", async () => {
    const { world, db, url } = loop
    // Daytona has no runner free for the first create: PatchPlane retries.
    daytona.createFailures.push(503)
    const sent = await world.request("add a CONTRIBUTING.md that explains how to run the tests")
    expect(sent.status).toBe(200)
    const published = await loop.runOn(
      sent.issueNumber,
      (run) => run.pullRequestNumber !== null,
      "the draft PR",
    )
    const prNumber = published.pullRequestNumber ?? 0
    const pr = await world.github.pullRequest(REPOSITORY, prNumber)
    expect(pr).toMatchObject({ draft: true, head: { ref: `patchplane/${published.id}` } })
    const [patchSet] = await listPatchSets(db.db, published.id)
    expect(pr.head.sha).toBe(patchSet?.headSha)
    expect(patchSet?.files.length).toBeGreaterThan(0)

    // On Daytona: two creates (the 503, then the sandbox from the agents' snapshot), the
    // SDK polling until it started, Pi through a session, the push through git/push.
    const creates = daytona.requests.filter((r) => r.method === "POST" && r.path === "/api/sandbox")
    expect(creates).toHaveLength(2)
    expect(creates[1]?.body).toMatchObject({
      snapshot: agentsSnapshot,
      labels: { "patchplane-run": published.id },
      networkBlockAll: false,
      networkAllowList: "127.0.0.1/32",
    })
    const sandbox = sandboxOf(daytona, published.id)
    expect(sandbox).toBeDefined()
    const toolbox = (suffix: string) =>
      daytona.requests.filter(
        (r) => r.path.startsWith(`/toolbox/${sandbox?.id}`) && r.path.endsWith(suffix),
      )
    expect(
      daytona.requests.filter((r) => r.method === "GET" && r.path === `/api/sandbox/${sandbox?.id}`)
        .length,
    ).toBeGreaterThan(0)
    expect(toolbox("/git/clone")).toHaveLength(1)
    expect(toolbox("/logs?follow=true").length).toBeGreaterThan(0)
    expect(toolbox("/input").length).toBeGreaterThan(0)
    expect(toolbox("/git/push")).toHaveLength(1)
    // The model was called through the gateway on PatchPlane's HTTP server.
    expect(world.model.requests.length).toBeGreaterThan(0)
    const launched = sentToDaytona(daytona)
    // Pi's version was checked in the sandbox before it started.
    expect(launched).toContain("exec pi --version")
    expect(launched).toContain(`${url.replace("127.0.0.1", "localhost")}/api/model-gateway/v1`)
    // No key of the control plane went to Daytona, by any request.
    expect(leaked(launched, await controlPlaneSecrets(loop))).toEqual([])

    const review = await world.review(prNumber, url)
    expect(review.code).toBe(0)
    const decided = await loop.runOn(sent.issueNumber, (r) => r.state === "decided", "the decision")
    expect((await latestMergeDecision(db.db, decided.id))?.state).toBe("ready-for-review")
    // The sandbox is deleted once the run no longer needs it.
    await loop.until("the sandbox deleted", async () =>
      sandbox?.state === "destroyed" ? true : undefined,
    )
    // The run's gateway token (in the launch plan, Pi's first stdin line) is refused now.
    const planInput = daytona.requests.find(
      (r) => r.path.startsWith(`/toolbox/${sandbox?.id}`) && r.path.endsWith("/input"),
    )?.body as { data: string }
    const plan = JSON.parse(planInput.data.split("\n")[0] ?? "") as {
      files: Array<{ path: string; content: string }>
    }
    const models = plan.files.find((f) => f.path.endsWith("/models.json"))?.content ?? ""
    const token = Object.values(
      (JSON.parse(models) as { providers: Record<string, { apiKey: string }> }).providers,
    )[0]?.apiKey
    expect(token).toMatch(/^pp1\./)
    const late = await fetch(`${url}/api/model-gateway/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: "scripted-model",
        messages: [{ role: "user", content: "hi" }],
      }),
    })
    expect(late.status).toBe(401)
    expect(JSON.stringify(await late.json())).toContain("patchplane_session_ended")
  }, 300_000)

  it("keeps every secret out of the sandbox, and a cancel deletes it within 2 s", async () => {
    const { world, app } = loop
    const served = world.model.requests.length
    const sent = await world.request("add a CONTRIBUTING.md", {
      script: [slowStart(120), ...contributingScript()],
    })
    const run = await loop.runOn(sent.issueNumber, (r) => r.state === "running", "a running run")
    await world.model.waitForRequests(served + 1, 120_000)
    const sandbox = await daytona.waitForSessionCommand(run.id)
    // Mid-run, while Pi runs its tool: every file in the sandbox and every process's environment.
    const scan = await secretsInSandbox(loop, sandbox)
    expect(scan.files.some((f) => f.endsWith("/README.md"))).toBe(true)
    expect(scan.envs.some((env) => env.includes("HOME=/home/daytona"))).toBe(true)
    expect(scan.found).toEqual([])

    const started = Date.now()
    await Effect.runPromise(app.orchestrator.cancel(run.id, "octocat", "wrong repository"))
    await loop.until(
      "the sandbox deleted",
      async () => (sandbox.state === "destroyed" ? true : undefined),
      10_000,
    )
    expect(Date.now() - started).toBeLessThan(2000)
    expect(world.github.requestsMatching("POST", /\/pulls$/)).toHaveLength(1)
    world.model.discard()
  }, 240_000)

  it("fails the run with Daytona's reason when its sandbox dies mid-run, and keeps its record", async () => {
    const { world, db } = loop
    const served = world.model.requests.length
    const sent = await world.request("add a CONTRIBUTING.md", {
      script: [slowStart(120), ...contributingScript()],
    })
    const run = await loop.runOn(sent.issueNumber, (r) => r.state === "running", "a running run")
    await world.model.waitForRequests(served + 1, 120_000)
    const sandbox = await daytona.waitForSessionCommand(run.id)
    daytona.killSandbox(sandbox.id, "runner lost: the host rebooted")
    const failed = await loop.until("the run failed", async () => {
      const rows = await db.pool.query<{ state: string; reason: string | null }>(
        "SELECT state, reason FROM workflow_runs WHERE id = $1",
        [run.id],
      )
      return rows.rows[0]?.state === "failed" ? rows.rows[0] : undefined
    })
    expect(failed.reason).toContain("runner lost: the host rebooted")
    const sessions = await db.pool.query(
      "SELECT id FROM runtime_sessions WHERE workflow_run_id = $1",
      [run.id],
    )
    expect(sessions.rows.length).toBeGreaterThan(0)
    world.model.discard()
  }, 240_000)
})
