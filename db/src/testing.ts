// Test isolation on a real PostgreSQL: each test file gets its own database,
// migrated from scratch and dropped afterwards.
import { randomBytes } from "node:crypto"
import { Client, type Pool } from "pg"
import { createDatabase, createPool, type Database } from "./client.ts"
import { runMigrations } from "./migrate.ts"

/** Server the tests create their databases on (the machine's PostgreSQL by default). */
export const testServerUrl = (): string =>
  process.env.TEST_DATABASE_URL ??
  process.env.DATABASE_URL ??
  "postgres://postgres@127.0.0.1:5432/test"

export interface TestDatabase {
  readonly name: string
  readonly url: string
  readonly pool: Pool
  readonly db: Database
  drop(): Promise<void>
}

const admin = async <T>(run: (client: Client) => Promise<T>): Promise<T> => {
  const client = new Client({ connectionString: testServerUrl() })
  await client.connect()
  try {
    return await run(client)
  } finally {
    await client.end()
  }
}

export const createTestDatabase = async (
  label = "test",
  options: { migrate?: boolean } = {},
): Promise<TestDatabase> => {
  const name = `pp_${label.replace(/\W/g, "_").slice(0, 30)}_${randomBytes(5).toString("hex")}`
  await admin((client) => client.query(`CREATE DATABASE ${name}`))
  const url = new URL(testServerUrl())
  url.pathname = `/${name}`
  const pool = createPool(url.toString(), { max: 20 })
  if (options.migrate ?? true) await runMigrations(pool)
  return {
    name,
    url: url.toString(),
    pool,
    db: createDatabase(pool),
    drop: async () => {
      await pool.end()
      await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
    },
  }
}
