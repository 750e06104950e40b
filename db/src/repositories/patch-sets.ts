// PatchSets: the machine-readable result of one agent session.
import { asc, eq } from "drizzle-orm"
import type { Executor } from "../client.ts"
import { one } from "./one.ts"
import { patchSets } from "../schema/index.ts"

export type PatchSetRow = typeof patchSets.$inferSelect
export type NewPatchSet = Omit<typeof patchSets.$inferInsert, "id" | "createdAt">

export const insertPatchSet = async (db: Executor, values: NewPatchSet): Promise<PatchSetRow> =>
  one(await db.insert(patchSets).values(values).returning(), "insertPatchSet")

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
