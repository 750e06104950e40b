// The one driver: node-postgres, wrapped by drizzle with our schema.
import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres"
import { Pool } from "pg"
import * as schema from "./schema/index.ts"

export type Database = NodePgDatabase<typeof schema> & { $client: Pool }
/** A Database or an open transaction on it; repository functions accept either. */
export type Executor = Pick<
  Database,
  "select" | "insert" | "update" | "delete" | "execute" | "with" | "$with"
> & {
  transaction: Database["transaction"]
}

export interface PoolOptions {
  readonly max?: number
  readonly applicationName?: string
}

export const createPool = (url: string, options: PoolOptions = {}): Pool => {
  const pool = new Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? "patchplane",
    connectionTimeoutMillis: 10_000,
  })
  // A client losing its server (restart, failover) must not crash the
  // process. pg-pool hears idle clients only; a checked-out client's `error`
  // would go unheard, so every client gets a listener for its whole life. Its
  // queries still fail, the pool discards it, and the next query reconnects.
  pool.on("error", () => {})
  pool.on("connect", (client) => {
    client.on("error", () => {})
  })
  return pool
}

export const createDatabase = (pool: Pool): Database =>
  drizzle({ client: pool, schema, casing: "snake_case" })

/** Redacts the password so a URL can be logged. */
export const redactUrl = (url: string): string => {
  try {
    const parsed = new URL(url)
    if (parsed.password !== "") parsed.password = "***"
    return parsed.toString()
  } catch {
    return "(unparseable database URL)"
  }
}
