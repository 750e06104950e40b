// The Database service on a fresh, migrated database on the test server,
// dropped when the layer closes. Kept out of src/ so production code never
// imports @patchplane/db/testing.
import { createTestDatabase } from "@patchplane/db/testing"
import { Effect, Layer } from "effect"
import { Database, databaseShape, tryDatabase } from "../../src/platform/database.ts"

export const testDatabaseLayer = Layer.effect(
  Database,
  Effect.gen(function* () {
    const test = yield* Effect.acquireRelease(
      tryDatabase("test database", () => createTestDatabase("app")),
      (t) => Effect.promise(() => t.drop()),
    )
    return databaseShape(test.pool, "test", test.name, test.url)
  }),
)
