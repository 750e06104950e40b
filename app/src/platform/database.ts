// The control plane's PostgreSQL: an external server (database.url /
// DATABASE_URL) or the embedded one. Migrations run when the layer starts; the
// pool is ended and the embedded server stopped when the layer closes.
import {
  createDatabase,
  createPool,
  type Database as DrizzleDatabase,
  redactUrl,
  runMigrations,
  startEmbeddedPostgres,
} from "@patchplane/db"
import { Context, Effect, Layer, Redacted, Schema } from "effect"
import type { Pool } from "pg"
import { AppConfig } from "./app-config.ts"

export class DatabaseError extends Schema.TaggedError<DatabaseError>()("DatabaseError", {
  message: Schema.String,
  /** What the driver threw, for a caller that tells one failure from another. */
  cause: Schema.optional(Schema.Unknown),
}) {}

/**
 * A database call as an Effect, the one way database failures are told: a
 * DatabaseError saying what was being done and why it failed.
 */
export const tryDatabase = <A>(
  what: string,
  call: () => Promise<A>,
): Effect.Effect<A, DatabaseError> =>
  Effect.tryPromise({
    try: call,
    catch: (error) =>
      new DatabaseError({
        message: `${what}: ${error instanceof Error ? error.message : String(error)}`,
        cause: error,
      }),
  })

export interface DatabaseShape {
  readonly db: DrizzleDatabase
  readonly pool: Pool
  readonly kind: "external" | "embedded" | "test"
  /** Where it is, safe to log (password redacted). */
  readonly location: string
  /** The connection URL, for the components that open their own connections (never log it). */
  readonly url: string
  /** `SELECT 1`, for health checks. */
  readonly ping: Effect.Effect<void, DatabaseError>
}

/** The service over an open pool; the test layer (app/test/support) builds one too. */
export const databaseShape = (
  pool: Pool,
  kind: DatabaseShape["kind"],
  location: string,
  url: string,
): DatabaseShape => ({
  db: createDatabase(pool),
  pool,
  kind,
  location,
  url,
  ping: tryDatabase("database unreachable", () => pool.query("SELECT 1")).pipe(Effect.asVoid),
})

const migrated = (pool: Pool) => tryDatabase("migrations failed", () => runMigrations(pool))

const endPool = (pool: Pool) => Effect.promise(() => pool.end().catch(() => {}))

export class Database extends Context.Service<Database, DatabaseShape>()(
  "@patchplane/app/Database",
) {
  static readonly layer = Layer.effect(
    Database,
    Effect.gen(function* () {
      const config = yield* AppConfig
      const { url, poolSize, embedded } = config.database
      if (url !== null) {
        const pool = yield* Effect.acquireRelease(
          Effect.sync(() => createPool(Redacted.value(url), { max: poolSize })),
          endPool,
        )
        yield* migrated(pool)
        return databaseShape(pool, "external", redactUrl(Redacted.value(url)), Redacted.value(url))
      }
      const server = yield* Effect.acquireRelease(
        tryDatabase("embedded PostgreSQL failed to start", () =>
          startEmbeddedPostgres({ dataDir: embedded.dataDir, port: embedded.port }),
        ),
        (s) => Effect.promise(() => s.stop()),
      )
      const pool = yield* Effect.acquireRelease(
        Effect.sync(() => createPool(server.url, { max: poolSize })),
        endPool,
      )
      yield* migrated(pool)
      // Say where the cluster is when it is not where the config put it.
      const moved =
        server.relocated === null
          ? ""
          : `; moved there because the "postgres" user cannot enter ${server.relocated.blockedAt}`
      return databaseShape(
        pool,
        "embedded",
        `${server.dataDir} (127.0.0.1:${server.port}${moved})`,
        server.url,
      )
    }),
  )
}

/** tryDatabase through the Database service, for code that holds no handle of its own. */
export const queryDatabase = <A>(
  what: string,
  call: (db: DrizzleDatabase) => Promise<A>,
): Effect.Effect<A, DatabaseError, Database> =>
  Database.use(({ db }) => tryDatabase(what, () => call(db)))
