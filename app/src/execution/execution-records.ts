// Where execution results land in PostgreSQL: the sandbox id on its
// RuntimeSession (so a run's sandbox can always be found and deleted) and the
// PatchSet row.
import {
  insertPatchSet,
  type PatchSetRow,
  recordRuntimeSessionSandbox,
  type RuntimeSessionRow,
} from "@patchplane/db"
import { Effect } from "effect"
import { Database, DatabaseError } from "../platform/database.ts"
import { errorText } from "./execution-errors.ts"
import type { PatchSetDraft } from "./patch-set-collector.ts"
import type { SandboxHandle } from "./sandbox-types.ts"

const query = <A>(what: string, run: (db: Database["Service"]["db"]) => Promise<A>) =>
  Effect.gen(function* () {
    const { db } = yield* Database
    return yield* Effect.tryPromise({
      try: () => run(db),
      catch: (error) => new DatabaseError({ message: `${what}: ${errorText(error)}` }),
    })
  })

export const recordSandboxOnSession = (
  runtimeSessionId: string,
  sandbox: SandboxHandle,
): Effect.Effect<RuntimeSessionRow, DatabaseError, Database> =>
  query("recording the sandbox on its RuntimeSession", (db) =>
    recordRuntimeSessionSandbox(db, runtimeSessionId, {
      sandboxId: sandbox.id,
      workspaceRoot: sandbox.workspaceRoot,
    }),
  )

export const savePatchSet = (
  draft: PatchSetDraft,
): Effect.Effect<PatchSetRow, DatabaseError, Database> =>
  query("saving the PatchSet", (db) =>
    insertPatchSet(db, {
      ...draft,
      files: draft.files.map((file) => ({ ...file })),
      diffSummary: { ...draft.diffSummary },
      toolsUsed: [...draft.toolsUsed],
      testsRun: [...draft.testsRun],
      dependencyChanges: draft.dependencyChanges.map((change) => ({ ...change })),
    }),
  )
