// Applies the committed drizzle-kit migrations. Safe to call from several
// processes at once: an advisory lock serialises them.
import { fileURLToPath } from "node:url"
import { drizzle } from "drizzle-orm/node-postgres"
import { migrate } from "drizzle-orm/node-postgres/migrator"
import type { Pool } from "pg"

export const migrationsFolder = fileURLToPath(new URL("../migrations", import.meta.url))
const MIGRATION_LOCK = 727_465_001

export const runMigrations = async (pool: Pool): Promise<void> => {
  const client = await pool.connect()
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK])
    try {
      await migrate(drizzle({ client }), { migrationsFolder })
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK])
    }
  } finally {
    client.release()
  }
}
