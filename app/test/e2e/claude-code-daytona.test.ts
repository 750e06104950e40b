// The whole loop with Claude Code on Daytona: the repository's own
// .github/patchplane.yml picks Claude Code (which the config allows), the run
// gets a sandbox on the local Daytona from the agents' snapshot, PatchPlane
// checks `claude --version` there, and the Claude Code binary from that image
// runs over Daytona's session API, calling the model gateway on PatchPlane's
// own HTTP server in the Anthropic Messages protocol → PatchSet → push
// through Daytona's git API → draft PR → review → decision. Then: no secret of
// the control plane is in the sandbox (its files and the environments of its
// processes, Claude Code's among them) while Claude Code runs, and a cancel
// deletes the sandbox within 2 s.
import {
  latestMergeDecision,
  listModelCalls,
  listPatchSets,
  listRuntimeSessions,
} from "@patchplane/db"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { agentsSnapshot } from "../../dev/daytona-stand-in/local-daytona.ts"
import type { DaytonaStandIn } from "../../dev/daytona-stand-in/server.ts"
import { REPOSITORY } from "../../dev/local-world.ts"
import {
  claudeContributingScript,
  claudeSlowToolScript,
} from "../../dev/scripted-model/model-scripts.ts"
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
  loop = await startLoop("claude_daytona", {
    daytona: true,
    runtime: {
      claudeCode: { model: "claude-scripted" },
      allowed: { runtimes: ["pi", "claude-code"] },
    },
  })
  daytona = loop.world.daytona as DaytonaStandIn
  await loop.world.github.commitFiles(REPOSITORY, {
    branch: "main",
    files: { ".github/patchplane.yml": "agent:\n  runtime: claude-code\n" },
    message: "PatchPlane policy",
  })
}, 120_000)

afterAll(async () => {
  await loop?.stop()
})

/** The checkout inside a Daytona sandbox (its workspace root, then `repo`). */
const repoPath = "/home/daytona/workspace/repo"

describe("Claude Code on Daytona, chosen by the repository", () => {
  it("turns a /patchplane comment into a reviewed draft PR, Claude Code in a Daytona sandbox", async () => {
    const { world, db, url } = loop
    const sent = await world.request("add a CONTRIBUTING.md that explains how to run the tests", {
      script: claudeContributingScript(repoPath),
    })
    expect(sent.status).toBe(200)
    const run = await loop.runOn(
      sent.issueNumber,
      (r) => r.pullRequestNumber !== null,
      "the draft PR",
    )
    const pr = await world.github.pullRequest(REPOSITORY, run.pullRequestNumber ?? 0)
    expect(pr).toMatchObject({ draft: true, head: { ref: `patchplane/${run.id}` } })
    const [patchSet] = await listPatchSets(db.db, run.id)
    expect(patchSet?.files.map((file) => file.path)).toEqual(["CONTRIBUTING.md"])
    expect(patchSet?.toolsUsed).toEqual(["Bash", "Edit"])
    expect(pr.head.sha).toBe(patchSet?.headSha)

    // Claude Code ran, in the sandbox from the agents' snapshot, over the session API.
    const [session] = await listRuntimeSessions(db.db, run.id)
    expect(session?.adapter).toBe("claude-code")
    const creates = daytona.requests.filter((r) => r.method === "POST" && r.path === "/api/sandbox")
    expect(creates.at(-1)?.body).toMatchObject({
      snapshot: agentsSnapshot,
      labels: { "patchplane-run": run.id },
    })
    const sandbox = sandboxOf(daytona, run.id)
    const toolbox = (suffix: string) =>
      daytona.requests.filter(
        (r) => r.path.startsWith(`/toolbox/${sandbox?.id}`) && r.path.endsWith(suffix),
      )
    expect(toolbox("/logs?follow=true").length).toBeGreaterThan(0)
    expect(toolbox("/git/push")).toHaveLength(1)
    // Its version was checked in the sandbox before it started; its model
    // endpoint is the gateway on PatchPlane's URL, and every call went there.
    const launched = sentToDaytona(daytona)
    expect(launched).toContain("exec claude --version")
    // The launch plan (Claude Code's first stdin line): the gateway on PatchPlane's URL, the run token in a file.
    const planInput = toolbox("/input")[0]?.body as { data: string }
    const plan = JSON.parse(planInput.data.split("\n")[0] ?? "") as {
      files: Array<{ path: string; content: string }>
      env: Record<string, string>
    }
    expect(plan.env.ANTHROPIC_BASE_URL).toBe(
      `${url.replace("127.0.0.1", "localhost")}/api/model-gateway`,
    )
    expect(Object.keys(plan.env).filter((name) => /KEY|TOKEN/.test(name))).toEqual([])
    const calls = await listModelCalls(db.db, run.id)
    expect(calls).toHaveLength(4)
    expect(world.model.requests.filter((r) => r.path === "/v1/messages")).toHaveLength(4)
    // No key of the control plane went to Daytona, by any request.
    expect(leaked(launched, await controlPlaneSecrets(loop))).toEqual([])

    const review = await world.review(run.pullRequestNumber ?? 0, url)
    expect(review.code).toBe(0)
    const decided = await loop.runOn(sent.issueNumber, (r) => r.state === "decided", "the decision")
    expect(decided.reason).toBe("decision: ready-for-review")
    expect(await latestMergeDecision(db.db, run.id)).toMatchObject({ state: "ready-for-review" })
    await loop.until("the sandbox deleted", async () =>
      sandbox?.state === "destroyed" ? true : undefined,
    )

    // The run's gateway token is refused now.
    const token = plan.files.find((f) => f.path.endsWith("/gateway-token"))?.content
    expect(token).toMatch(/^pp1\./)
    const late = await fetch(`${url}/api/model-gateway/v1/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${token ?? ""}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: "claude-scripted",
        max_tokens: 16,
        messages: [{ role: "user", content: "hi" }],
      }),
    })
    expect(late.status).toBe(401)
    expect(JSON.stringify(await late.json())).toContain("patchplane_session_ended")
  }, 300_000)

  it("keeps every secret out of the sandbox while Claude Code runs, and a cancel deletes it within 2 s", async () => {
    const { world, app } = loop
    const served = world.model.requests.length
    const sent = await world.request("add a CONTRIBUTING.md", {
      script: [...claudeSlowToolScript(120), ...claudeContributingScript(repoPath)],
    })
    const run = await loop.runOn(sent.issueNumber, (r) => r.state === "running", "a running run")
    await world.model.waitForRequests(served + 1, 120_000)
    const sandbox = await daytona.waitForSessionCommand(run.id)

    // Mid-run, while Claude Code runs its tool: every file and every process's environment.
    const scan = await secretsInSandbox(loop, sandbox)
    expect(scan.files.some((f) => f.endsWith("/README.md"))).toBe(true)
    // Claude Code's own process was among those looked at, and holds no provider key.
    const claudeEnv = scan.envs.filter((env) => env.includes("ANTHROPIC_BASE_URL="))
    expect(claudeEnv.length).toBeGreaterThan(0)
    for (const env of claudeEnv) {
      expect(env).not.toMatch(/^ANTHROPIC_API_KEY=/m)
      expect(env).not.toMatch(/^ANTHROPIC_AUTH_TOKEN=/m)
    }
    expect(scan.found).toEqual([])

    const started = Date.now()
    await Effect.runPromise(app.orchestrator.cancel(run.id, "octocat", "wrong repository"))
    await loop.until(
      "the sandbox deleted",
      async () => (sandbox.state === "destroyed" ? true : undefined),
      10_000,
    )
    expect(Date.now() - started).toBeLessThan(2000)
    world.model.discard()
  }, 240_000)
})
