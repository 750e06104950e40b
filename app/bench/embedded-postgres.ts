// Embedded PostgreSQL (db/src/embedded-server.ts), what `npm start` runs
// without a DATABASE_URL: the first start (initdb, then start) and a restart
// of the same cluster, each until it accepts connections, plus running
// PatchPlane's migrations on the new cluster. Informational figures.
import { chmod, mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createPool, runMigrations, startEmbeddedPostgres } from "@patchplane/db"
import { median } from "./children.ts"
import type { BenchRow } from "./report.ts"

const row = (metric: string, value: number): BenchRow => ({
  name: "embedded PostgreSQL",
  metric,
  value,
  unit: "ms",
  target: null,
  baseline: null,
  ratio: null,
})

export const embeddedPostgres = async (options: { restarts: number }): Promise<BenchRow[]> => {
  const dir = await mkdtemp(join(tmpdir(), "pp-bench-pg-"))
  // As root the server runs as the `postgres` user, which must reach the data directory.
  await chmod(dir, 0o755)
  const dataDir = join(dir, "postgres")
  try {
    let t0 = performance.now()
    const first = await startEmbeddedPostgres({ dataDir })
    const firstMs = performance.now() - t0
    if (!first.initialised) throw new Error("the first start did not initialise a cluster")
    let migrateMs: number
    try {
      const pool = createPool(first.url, { max: 2 })
      t0 = performance.now()
      try {
        await runMigrations(pool)
      } finally {
        await pool.end()
      }
      migrateMs = performance.now() - t0
    } finally {
      await first.stop()
    }
    const restarts: number[] = []
    for (let i = 0; i < options.restarts; i++) {
      t0 = performance.now()
      const again = await startEmbeddedPostgres({ dataDir })
      restarts.push(performance.now() - t0)
      await again.stop()
    }
    return [
      row("first start (initdb, start, accepting connections)", firstMs),
      row("migrations on the new cluster", migrateMs),
      row(`restart of the same cluster (median of ${options.restarts})`, median(restarts)),
    ]
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
