// The Database service on a fresh, migrated database on the test server,
// dropped when the layer closes. Kept out of src/ so production code never
// imports @patchplane/db/testing.
import { createTestDatabase } from "@patchplane/db/testing"
import { Effect, Layer } from "effect"
import { Database, DatabaseError, databaseShape } from "../../src/platform/database.ts"

export const testDatabaseLayer = Layer.effect(
  Database,
  Effect.gen(function* () {
    const test = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => createTestDatabase("app"),
        catch: (error) =>
          new DatabaseError({
            message: `test database: ${error instanceof Error ? error.message : error}`,
          }),
      }),
      (t) => Effect.promise(() => t.drop()),
    )
    return databaseShape(test.pool, "test", test.name, test.url)
  }),
)
