// Where execution results land in PostgreSQL: the sandbox id on its
// RuntimeSession (so a run's sandbox can always be found and deleted) and the
// PatchSet row with its diff.
import {
  findPatchSetByHead,
  insertPatchSet,
  type PatchSetRow,
  recordRuntimeSessionSandbox,
  type RuntimeSessionRow,
} from "@patchplane/db"
import type { Effect } from "effect"
import { type Database, type DatabaseError, queryDatabase } from "../platform/database.ts"
import type { DiffArtifact, PatchSetDraft } from "./patch-set-collector.ts"
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

/**
 * The PatchSet and its capped diff in one write: the dashboard shows the diff
 * from here, also when the push is refused or the branch is gone later.
 */
export const savePatchSet = (
  draft: PatchSetDraft,
  diff: DiffArtifact,
): Effect.Effect<PatchSetRow, DatabaseError, Database> =>
  queryDatabase("saving the PatchSet", async (db) => {
    // Collecting again (after a failed push) finds the same commit: one PatchSet for it.
    const recorded =
      draft.headSha === null
        ? undefined
        : await findPatchSetByHead(db, draft.workflowRunId, draft.headSha)
    if (recorded !== undefined) return recorded
    return insertPatchSet(
      db,
      {
        ...draft,
        files: draft.files.map((file) => ({ ...file })),
        diffSummary: { ...draft.diffSummary },
        toolsUsed: [...draft.toolsUsed],
        testsRun: [...draft.testsRun],
        dependencyChanges: draft.dependencyChanges.map((change) => ({ ...change })),
      },
      { diff: diff.content, bytes: diff.bytes, truncated: diff.truncated },
    )
  })
