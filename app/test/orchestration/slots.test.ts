// Waiting for reviews or a human must not hold an execution slot: with room
// for one run at a time, a second run executes while the first awaits review.
import { Effect } from "effect"
import { afterAll, beforeAll, expect, it } from "vitest"
import { type OrchestrationHarness, startOrchestrationHarness } from "./harness.ts"
import { scriptedSteps } from "./scripted-steps.ts"

let h: OrchestrationHarness
beforeAll(async () => {
  h = await startOrchestrationHarness((db) => scriptedSteps(db), {
    orchestration: { globalConcurrency: 1 },
  })
}, 60_000)
afterAll(() => h?.stop())

it("a run awaiting review leaves the only execution slot to the next run", async () => {
  const first = await h.enqueue()
  await h.waitForState(first.id, ["reviewing"])
  const second = await h.enqueue()
  const reviewing = await h.waitForState(second.id, ["reviewing"], 10_000)
  expect(reviewing.state).toBe("reviewing")
  expect((await h.waitForState(first.id, ["reviewing"])).state).toBe("reviewing")
  for (const run of [first, second])
    await Effect.runPromise(h.app.orchestrator.cancel(run.id, "test", "done"))
}, 30_000)
