// The rest of app.yml's promises, end to end: closing an issue cancels its
// running run within seconds (the agent stops mid-tool), and "Re-run" on the
// `PatchPlane` check of a stopped run (check_run.rerequested) retries it.
import { getRepositoryByFullName, getWorkflowRun, latestRunForIssue } from "@patchplane/db"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { REPOSITORY } from "../../dev/local-world.ts"
import { callTools, say, slowToolScript, toolCall } from "../../dev/scripted-model/model-scripts.ts"
import { type Loop, startLoop } from "./harness.ts"

let loop: Loop

beforeAll(async () => {
  loop = await startLoop("conversation")
}, 120_000)

afterAll(async () => {
  await loop?.stop()
})

describe("conversation events", () => {
  it("Re-run on the PatchPlane check retries a stopped run", async () => {
    const { world, db } = loop
    const sent = await world.request("add docs/rerun.md", {
      script: [
        callTools(toolCall("write", { path: "docs/rerun.md", content: "x\n" }, "w")),
        say("done"),
      ],
    })
    const first = await loop.runOn(sent.issueNumber, (r) => r.checkRunId !== null, "the check run")
    const cancelled = await world.comment(sent.issueNumber, "/patchplane cancel")
    expect(cancelled.status).toBe(200)
    await loop.until("the cancel", async () =>
      (await getWorkflowRun(db.db, first.id))?.state === "cancelled" ? true : undefined,
    )
    world.model.enqueue(
      callTools(toolCall("write", { path: "docs/rerun.md", content: "y\n" }, "w2")),
      say("done again"),
    )
    const rerun = await world.rerequestCheckRun(first.checkRunId ?? 0)
    expect(rerun.status).toBe(200)
    const repo = await getRepositoryByFullName(db.db, REPOSITORY)
    const retried = await loop.until("the retried run", async () => {
      const latest = (await latestRunForIssue(db.db, repo?.id ?? "", sent.issueNumber))?.run
      return latest !== undefined && latest.id !== first.id ? latest : undefined
    })
    expect(retried.promptRequestId).toBe(first.promptRequestId)
    await loop.runOn(sent.issueNumber, (r) => r.pullRequestNumber !== null, "the retry published")
  }, 180_000)

  it("closing the issue cancels its running run within seconds", async () => {
    const { world, db } = loop
    const sent = await world.request("take your time", { script: slowToolScript(60) })
    const running = await loop.runOn(sent.issueNumber, (r) => r.state === "running", "running")
    await world.model.waitForRequests(world.model.requests.length, 30_000)
    const closedAt = Date.now()
    const closed = await world.closeIssue(sent.issueNumber)
    expect(closed.status).toBe(200)
    await loop.until(
      "the run cancelled",
      async () =>
        (await getWorkflowRun(db.db, running.id))?.state === "cancelled" ? true : undefined,
      10_000,
    )
    expect(Date.now() - closedAt).toBeLessThan(10_000)
    expect((await getWorkflowRun(db.db, running.id))?.reason).toBe(
      `issue #${sent.issueNumber} closed by @octocat`,
    )
    // What the stopped agent's script had left is no one's.
    world.model.discard()
  }, 120_000)
})
