// PatchSets: the machine-readable result of one agent session.
import { asc, eq } from "drizzle-orm"
import type { Executor } from "../client.ts"
import { one } from "./one.ts"
import { patchSets, provenanceEdges } from "../schema/index.ts"

export type PatchSetRow = typeof patchSets.$inferSelect
export type NewPatchSet = Omit<typeof patchSets.$inferInsert, "id" | "createdAt">

/** A PatchSet, with its `produced` edge from the session (or run) in the provenance graph. */
export const insertPatchSet = (db: Executor, values: NewPatchSet): Promise<PatchSetRow> =>
  db.transaction(async (tx) => {
    const row = one(await tx.insert(patchSets).values(values).returning(), "insertPatchSet")
    await tx.insert(provenanceEdges).values({
      fromKind: row.runtimeSessionId === null ? "workflow_run" : "runtime_session",
      fromId: row.runtimeSessionId ?? row.workflowRunId,
      relation: "produced",
      toKind: "patch_set",
      toId: row.id,
      actor: "system",
      data: { headSha: row.headSha },
    })
    return row
  })

export const getPatchSet = async (db: Executor, id: string): Promise<PatchSetRow | undefined> => {
  const [row] = await db.select().from(patchSets).where(eq(patchSets.id, id))
  return row
}

export const listPatchSets = (db: Executor, workflowRunId: string): Promise<PatchSetRow[]> =>
  db
    .select()
    .from(patchSets)
    .where(eq(patchSets.workflowRunId, workflowRunId))
    .orderBy(asc(patchSets.createdAt))
