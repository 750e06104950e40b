// Durable runs in one process: the happy path through every state, cancel
// and interrupt reaching the agent, approval gates, one-at-a-time runs on the
// same target, and the kill switch. Real PostgreSQL, real DBOS.
import {
  insertMergeDecision,
  lineageOf,
  listOpenApprovals,
  listRuntimeEvents,
  listTransitions,
  getWorkflowRun,
} from "@patchplane/db"
import { Effect } from "effect"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { WAKE_TOPIC } from "../../src/orchestration/run-workflow.ts"
import { type OrchestrationHarness, startOrchestrationHarness } from "./harness.ts"
import { type ScriptedSteps, scriptedSteps } from "./scripted-steps.ts"

let h: OrchestrationHarness
let steps: ScriptedSteps

beforeAll(async () => {
  h = await startOrchestrationHarness((db) => {
    steps = scriptedSteps(db)
    return steps
  })
}, 60_000)
afterAll(() => h?.stop())
beforeEach(() => {
  steps.agentMs = 50
  steps.changes = true
})

const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)
const o = () => h.app.orchestrator

/** What a review result does: a MergeDecision row, then a wake-up. */
const decide = async (runId: string, state: "accepted" | "manual-review" | "rejected") => {
  await insertMergeDecision(h.db.db, {
    workflowRunId: runId,
    weightedScore: state === "accepted" ? 0.9 : 0.5,
    state,
    decidedBy: "policy",
  })
  await h.app.engine.send(runId, WAKE_TOPIC, {})
}

describe("a run", () => {
  it("moves through every state, step by step, and leaves its lineage", async () => {
    const queued = await h.enqueue()
    expect(queued.state).toBe("queued")
    await h.waitForState(queued.id, ["reviewing"])
    await new Promise((r) => setTimeout(r, 100)) // publish happens right after reviewing
    await decide(queued.id, "accepted")
    const done = await h.waitForState(queued.id, ["decided"])
    expect(done.reason).toBe("decision: accepted")

    const states = (await listTransitions(h.db.db, queued.id)).map((t) => t.toState)
    expect(states).toEqual([
      "queued",
      "provisioning",
      "running",
      "collecting",
      "reviewing",
      "decided",
    ])
    expect(steps.calls.filter((c) => c.endsWith(queued.id)).map((c) => c.split(":")[0])).toEqual([
      "create-sandbox",
      "checkout",
      "agent-start",
      "agent-done",
      "collect",
      "destroy-sandbox",
      "publish",
    ])
    const events = await listRuntimeEvents(h.db.db, queued.id)
    expect(events.map((e) => [e.seq, e.kind])).toEqual([
      [1, "session.started"],
      [2, "turn.started"],
      [3, "message"],
      [4, "session.terminated"],
    ])
    const lineage = await lineageOf(h.db.db, { kind: "workflow_run", id: queued.id })
    expect(lineage.filter((e) => e.relation === "transitioned")).toHaveLength(5)
    expect(lineage.some((e) => e.relation === "started")).toBe(true)
    expect((await getWorkflowRun(h.db.db, queued.id))?.policyBundleId).not.toBeNull()
  }, 30_000)

  it("with no changes is decided as such, without publishing", async () => {
    steps.changes = false
    const queued = await h.enqueue()
    const done = await h.waitForState(queued.id, ["decided"])
    expect(done.reason).toBe("no changes: the agent left the repository as it was")
    expect(steps.calls).not.toContain(`publish:${queued.id}`)
  }, 30_000)

  it("that fails for good is marked failed with the step and reason", async () => {
    const original = steps.checkout
    steps.checkout = () => Promise.reject(new Error("repository not found"))
    try {
      const queued = await h.enqueue()
      const failed = await h.waitForState(queued.id, ["failed"], 20_000)
      // Said once, with how often it was tried (not once per attempt).
      expect(failed.reason).toBe("checkout failed: repository not found (3 attempts)")
      // The sandbox it had created is cleaned up.
      await expect.poll(() => steps.calls.includes(`destroy-sandbox:${queued.id}`)).toBe(true)
    } finally {
      steps.checkout = original
    }
  }, 30_000)
})

describe("operators", () => {
  it("cancel a working agent within 2 s: run cancelled, agent stopped, sandbox destroyed", async () => {
    steps.agentMs = 60_000
    const queued = await h.enqueue()
    await h.waitForState(queued.id, ["running"])
    await expect.poll(() => steps.calls.includes(`agent-start:${queued.id}`)).toBe(true)
    const t0 = Date.now()
    const cancelled = await run(o().cancel(queued.id, "alice", "cancelled by alice"))
    expect(cancelled.state).toBe("cancelled")
    await expect
      .poll(() => steps.calls.includes(`destroy-sandbox:${queued.id}`), {
        timeout: 2_000,
        interval: 20,
      })
      .toBe(true)
    expect(Date.now() - t0).toBeLessThan(2_000)
    expect(steps.calls).toContain(`agent-stopped:cancel:${queued.id}`)
    expect(steps.calls).not.toContain(`collect:${queued.id}`)
  }, 30_000)

  it("interrupt pauses the agent for a human; approve resumes it", async () => {
    steps.agentMs = 60_000
    const queued = await h.enqueue()
    await h.waitForState(queued.id, ["running"])
    await expect.poll(() => steps.calls.includes(`agent-start:${queued.id}`)).toBe(true)
    await run(o().interrupt(queued.id, "alice"))
    const waiting = await h.waitForState(queued.id, ["awaiting_approval"], 20_000)
    // Credited to the operator who interrupted, not to the workflow.
    expect(waiting.reason).toBe("interrupted by alice")
    expect((await listOpenApprovals(h.db.db, queued.id)).map((a) => a.kind)).toEqual(["runtime"])
    steps.agentMs = 50
    const resumed = await run(o().approve(queued.id, "alice"))
    expect(resumed.state).toBe("running")
    await h.waitForState(queued.id, ["reviewing"])
    expect(steps.calls.filter((c) => c === `agent-start:${queued.id}`)).toHaveLength(2)
    await run(o().cancel(queued.id, "alice", "done testing"))
  }, 30_000)

  it("a manual-review decision waits durably for approve or reject", async () => {
    const queued = await h.enqueue()
    await h.waitForState(queued.id, ["reviewing"])
    await decide(queued.id, "manual-review")
    await h.waitForState(queued.id, ["awaiting_approval"])
    await expect
      .poll(async () => (await listOpenApprovals(h.db.db, queued.id)).map((a) => a.kind))
      .toEqual(["merge"])
    const rejected = await run(o().reject(queued.id, "bob", "too risky"))
    expect(rejected).toMatchObject({ state: "decided", reason: "rejected by bob: too risky" })
    await expect.poll(async () => listOpenApprovals(h.db.db, queued.id)).toEqual([])
  }, 30_000)

  it("refuses what the state forbids, with the reason", async () => {
    const queued = await h.enqueue()
    const exit = await Effect.runPromiseExit(o().approve(queued.id, "alice"))
    expect(String(exit)).toMatch(/NotAllowedNow/)
    await h.waitForState(queued.id, ["reviewing"])
    await run(o().cancel(queued.id, "alice", "x"))
    const again = await Effect.runPromiseExit(o().cancel(queued.id, "alice", "x"))
    expect(String(again)).toMatch(/the run is already cancelled/)
  }, 30_000)

  it("steering messages reach the agent while it works", async () => {
    steps.agentMs = 1_500
    const queued = await h.enqueue()
    await h.waitForState(queued.id, ["running"])
    await expect.poll(() => steps.calls.includes(`agent-start:${queued.id}`)).toBe(true)
    await run(o().steer(queued.id, "alice", "use the existing helper"))
    await h.waitForState(queued.id, ["reviewing"])
    const events = await listRuntimeEvents(h.db.db, queued.id)
    expect(events.find((e) => e.kind === "message")?.payload).toMatchObject({
      text: "done (steered 1×)",
    })
    await run(o().cancel(queued.id, "alice", "x"))
  }, 30_000)
})

describe("scheduling", () => {
  it("runs on the same PR one at a time, in order", async () => {
    steps.agentMs = 600
    const first = await h.enqueue({ repo: "acme/serial", targetRef: "feature", issueNumber: 9 })
    const second = await h.enqueue({ repo: "acme/serial", targetRef: "feature", issueNumber: 9 })
    await h.waitForState(first.id, ["running"])
    // The second may provision, but must not start its agent while the first is live.
    await new Promise((r) => setTimeout(r, 300))
    expect(steps.calls).not.toContain(`agent-start:${second.id}`)
    await h.waitForState(first.id, ["reviewing"])
    await run(o().cancel(first.id, "alice", "next please"))
    await h.waitForState(second.id, ["reviewing"], 10_000)
    const starts = steps.calls.filter((c) => c.startsWith("agent-start:"))
    expect(starts.indexOf(`agent-start:${first.id}`)).toBeLessThan(
      starts.indexOf(`agent-start:${second.id}`),
    )
    await run(o().cancel(second.id, "alice", "x"))
  }, 30_000)

  it("the kill switch holds new runs until resumed, and can cancel running ones", async () => {
    steps.agentMs = 60_000
    const running = await h.enqueue()
    await h.waitForState(running.id, ["running"])
    const paused = await run(o().pause("admin", { cancelRunning: true }))
    expect(paused.cancelled).toBeGreaterThanOrEqual(1)
    await h.waitForState(running.id, ["cancelled"])
    steps.agentMs = 50
    const held = await h.enqueue()
    await new Promise((r) => setTimeout(r, 500))
    expect((await getWorkflowRun(h.db.db, held.id))?.state).toBe("queued")
    const resumed = await run(o().resume("admin"))
    expect(resumed.started).toBeGreaterThanOrEqual(1)
    await h.waitForState(held.id, ["reviewing"])
    await run(o().cancel(held.id, "admin", "x"))
  }, 30_000)
})
