// Where execution results land in PostgreSQL: the sandbox id on its
// RuntimeSession (so a run's sandbox can always be found and deleted) and the
// PatchSet row.
import {
  insertPatchSet,
  type PatchSetRow,
  recordRuntimeSessionSandbox,
  type RuntimeSessionRow,
} from "@patchplane/db"
import type { Effect } from "effect"
import { type Database, type DatabaseError, queryDatabase } from "../platform/database.ts"
import type { PatchSetDraft } from "./patch-set-collector.ts"
import type { SandboxHandle } from "./sandbox-types.ts"

export const recordSandboxOnSession = (
  runtimeSessionId: string,
  sandbox: SandboxHandle,
): Effect.Effect<RuntimeSessionRow, DatabaseError, Database> =>
  queryDatabase("recording the sandbox on its RuntimeSession", (db) =>
    recordRuntimeSessionSandbox(db, runtimeSessionId, {
      sandboxId: sandbox.id,
      workspaceRoot: sandbox.workspaceRoot,
    }),
  )

export const savePatchSet = (
  draft: PatchSetDraft,
): Effect.Effect<PatchSetRow, DatabaseError, Database> =>
  queryDatabase("saving the PatchSet", (db) =>
    insertPatchSet(db, {
      ...draft,
      files: draft.files.map((file) => ({ ...file })),
      diffSummary: { ...draft.diffSummary },
      toolsUsed: [...draft.toolsUsed],
      testsRun: [...draft.testsRun],
      dependencyChanges: draft.dependencyChanges.map((change) => ({ ...change })),
    }),
  )
