// Worker heartbeats: a silent worker is taken over exactly once, and a worker
// that finds its runs taken over (it stalled past its lease) stops at once.
import { createTestDatabase, type TestDatabase } from "@patchplane/db/testing"
import { sql } from "drizzle-orm"
import { afterAll, beforeAll, expect, it } from "vitest"
import type { Engine } from "../../src/orchestration/dbos-engine.ts"
import { startWorkerRegistry } from "../../src/orchestration/worker-registry.ts"
import { createLogger } from "../../src/platform/logger.ts"

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase("workers")
}, 60_000)
afterAll(() => db?.drop())

const engine = (recovered: string[][]): Engine =>
  ({
    executorId: "x",
    recover: async (ids: ReadonlyArray<string>) => {
      recovered.push([...ids])
      return ids.length
    },
  }) as unknown as Engine

it("takes over a silent worker once, and fences a worker that was taken over", async () => {
  const log = createLogger("silent")
  const recovered: string[][] = []
  let fenced = 0
  const options = { heartbeatMs: 50, leaseMs: 300, recovers: true, roles: ["worker"] }
  const stalled = await startWorkerRegistry(
    db.db,
    engine([]),
    // Beats rarely, so the simulated stall below outlasts the live workers' lease check.
    { ...options, heartbeatMs: 1_000, executorId: "stalled", onFenced: () => (fenced += 1) },
    log,
  )
  const live = await Promise.all(
    ["live-1", "live-2"].map((executorId) =>
      startWorkerRegistry(
        db.db,
        engine(recovered),
        { ...options, executorId, onFenced: () => {} },
        log,
      ),
    ),
  )
  // Simulate a stall: the worker's heartbeat stops reaching the database.
  await db.db.execute(
    sql`UPDATE workers SET heartbeat_at = now() - interval '1 hour' WHERE executor_id = 'stalled'`,
  )
  await expect.poll(() => recovered.flat(), { timeout: 5_000 }).toEqual(["stalled"])
  await expect.poll(() => fenced, { timeout: 5_000 }).toBe(1)
  await new Promise((r) => setTimeout(r, 400))
  expect(recovered.flat()).toEqual(["stalled"]) // claimed once, by one of the two
  await Promise.all([stalled, ...live].map((r) => r.stop()))
})
