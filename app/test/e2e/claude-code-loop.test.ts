// The whole loop on the second runtime: the repository's own
// .github/patchplane.yml picks Claude Code (which the config allows), and a
// `/patchplane` comment runs the real Claude Code binary in the local bwrap
// sandbox against the scripted model in the Anthropic Messages protocol,
// through the model gateway → PatchSet → pushed branch → draft PR → the
// companion Action's review → MergeDecision. A repository that picks a
// runtime or model outside the allow-list is refused with the field's path.
import {
  latestMergeDecision,
  listModelCalls,
  listPatchSets,
  listRuntimeEvents,
  listRuntimeSessions,
} from "@patchplane/db"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { launchBrowser, type TestBrowser } from "../../../dashboard/test/browser.ts"
import { REPOSITORY } from "../../dev/local-world.ts"
import { claudeContributingScript } from "../../dev/scripted-model/model-scripts.ts"
import { localWorkspaceRoot } from "../../src/execution/local-sandbox.ts"
import { type Loop, startLoop } from "./harness.ts"

let loop: Loop

beforeAll(async () => {
  loop = await startLoop("e2e_claude", {
    runtime: {
      claudeCode: { model: "claude-scripted" },
      allowed: { runtimes: ["pi", "claude-code"], models: ["claude-scripted-large"] },
    },
  })
}, 120_000)

afterAll(async () => {
  await loop?.stop()
})

const setRepoPolicy = (yaml: string) =>
  loop.world.github.commitFiles(REPOSITORY, {
    branch: "main",
    files: { ".github/patchplane.yml": yaml },
    message: "PatchPlane policy",
  })

describe("the whole loop on Claude Code, chosen by the repository", () => {
  it("turns a /patchplane comment into a reviewed draft PR with Claude Code as the agent", async () => {
    const { world, db, url } = loop
    await setRepoPolicy("agent:\n  runtime: claude-code\n  model: claude-scripted-large\n")
    const sent = await world.request("add a CONTRIBUTING.md that explains how to run the tests", {
      script: claudeContributingScript(`${localWorkspaceRoot}/repo`),
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

    // The runtime and model that ran: on the session, its events, and every model call.
    const [session] = await listRuntimeSessions(db.db, run.id)
    expect(session?.adapter).toBe("claude-code")
    const events = await listRuntimeEvents(db.db, run.id)
    expect(events[0]?.payload).toEqual({
      kind: "session.started",
      adapter: "claude-code",
      model: "claude-scripted-large",
    })
    expect(events.at(-1)?.payload).toEqual({ kind: "session.terminated", reason: "completed" })
    const calls = await listModelCalls(db.db, run.id)
    expect(calls).toHaveLength(4)
    expect(new Set(calls.map((call) => call.model))).toEqual(new Set(["claude-scripted-large"]))
    const requests = world.model.requests.filter((request) => request.path === "/v1/messages")
    expect(requests).toHaveLength(4)

    // The repository's CI reviews it as it would any run.
    const review = await world.review(run.pullRequestNumber ?? 0, url)
    expect(review.stderr).toBe("")
    expect(review.code).toBe(0)
    const decided = await loop.runOn(sent.issueNumber, (r) => r.state === "decided", "the decision")
    expect(decided.reason).toBe("decision: ready-for-review")
    expect(await latestMergeDecision(db.db, run.id)).toMatchObject({ state: "ready-for-review" })

    // The run page says which runtime and model ran.
    const browser: TestBrowser = await launchBrowser()
    try {
      const page = await browser.page()
      await page.goto(loop.signIn(`/runs/${run.id}`))
      await page.locator('article[data-run-state="decided"]').waitFor({ timeout: 60_000 })
      await page
        .getByText("Session started (claude-code · claude-scripted-large)")
        .first()
        .waitFor({ timeout: 30_000 })
      await browser.screenshot(page, "e2e-claude-code-run")
    } finally {
      await browser.close()
    }
  }, 240_000)

  it("refuses a repository policy that picks a model outside the allow-list, naming agent.model", async () => {
    const { world } = loop
    await setRepoPolicy("agent:\n  runtime: claude-code\n  model: claude-opus-unlimited\n")
    const before = world.model.requests.length
    const sent = await world.request("add a CHANGELOG.md", { script: [] })
    expect(sent.status).toBe(200)
    const error = await loop
      .runOn(sent.issueNumber, () => false, "the refusal")
      .then(
        () => "",
        (thrown: unknown) => String(thrown),
      )
    expect(error).toContain("the run ended failed")
    expect(error).toContain("agent.model")
    expect(error).toContain('"claude-opus-unlimited" is not allowed')
    expect(world.model.requests.length).toBe(before)
  }, 120_000)
})
