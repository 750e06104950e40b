// Sandbox-wide memory, end to end: a hostile scripted model has the real Pi,
// in the real bwrap sandbox, start three processes that each stay under the
// per-process limit but together exceed `memoryMb`. The sandbox is stopped
// and the run fails naming the limit, the total and the process count.
import { afterAll, beforeAll, expect, it } from "vitest"
import { callTools, say, toolCall } from "../../dev/scripted-model/model-scripts.ts"
import { type Loop, startLoop } from "../e2e/harness.ts"

let loop: Loop

beforeAll(async () => {
  loop = await startLoop("sandbox_totals", { sandbox: { memoryMb: 2048 } })
}, 120_000)

afterAll(async () => {
  await loop?.stop()
})

it("stops a sandbox whose processes together exceed memoryMb, and the run fails saying so", async () => {
  const hog = `python3 -c "import time; b = b'x' * (800 * 1024 * 1024); time.sleep(120)"`
  const sent = await loop.world.request("crunch the numbers", {
    script: [
      callTools(
        toolCall("bash", { command: `for i in 1 2 3; do ${hog} & done; wait` }, "call_hog"),
      ),
      say("Crunched."),
    ],
  })
  expect(sent.status).toBe(200)
  const failed = await loop.until(
    "the stopped run",
    async () => {
      const { rows } = await loop.db.pool.query<{ state: string; reason: string | null }>(
        "SELECT state, reason FROM workflow_runs ORDER BY created_at DESC LIMIT 1",
      )
      const row = rows[0]
      return row !== undefined && ["failed", "timed_out", "decided"].includes(row.state)
        ? row
        : undefined
    },
    120_000,
  )
  expect(failed.state).toBe("failed")
  expect(failed.reason).toMatch(
    /sandbox exceeded its memory limit: \d+\.\d GiB of 2\.0 GiB across \d+ processes/,
  )
}, 180_000)
