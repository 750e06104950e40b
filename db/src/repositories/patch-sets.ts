// PatchSets: the machine-readable result of one agent session, with its unified diff.
import { and, asc, eq } from "drizzle-orm"
import type { Executor } from "../client.ts"
import { one } from "./one.ts"
import { patchSetDiffs, patchSets, provenanceEdges } from "../schema/index.ts"

export type PatchSetRow = typeof patchSets.$inferSelect
export type NewPatchSet = Omit<typeof patchSets.$inferInsert, "id" | "createdAt">
export type PatchSetDiffRow = typeof patchSetDiffs.$inferSelect
/** The collected unified diff: at most the collection's cap, `bytes` the whole diff's size. */
export type NewPatchSetDiff = Omit<typeof patchSetDiffs.$inferInsert, "patchSetId" | "createdAt">

/**
 * A PatchSet, with its `produced` edge from the session (or run) in the
 * provenance graph and, when given, its diff: all or nothing, so a recorded
 * PatchSet never lacks the diff it was collected with.
 */
export const insertPatchSet = (
  db: Executor,
  values: NewPatchSet,
  diff?: NewPatchSetDiff,
): Promise<PatchSetRow> =>
  db.transaction(async (tx) => {
    const row = one(await tx.insert(patchSets).values(values).returning(), "insertPatchSet")
    if (diff !== undefined)
      await tx.insert(patchSetDiffs).values({
        patchSetId: row.id,
        // PostgreSQL text cannot hold NUL; git prints none in a text diff, but
        // the agent's bytes must not be able to fail the write.
        diff: diff.diff.replaceAll("\u0000", "\uFFFD"),
        bytes: diff.bytes,
        truncated: diff.truncated,
      })
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

/**
 * The run's PatchSet for a head commit, if one was recorded: a collect step
 * that runs again (its push failed and is retried) finds the same commit and
 * must not record it twice.
 */
export const findPatchSetByHead = async (
  db: Executor,
  workflowRunId: string,
  headSha: string,
): Promise<PatchSetRow | undefined> => {
  const [row] = await db
    .select()
    .from(patchSets)
    .where(and(eq(patchSets.workflowRunId, workflowRunId), eq(patchSets.headSha, headSha)))
    .orderBy(asc(patchSets.createdAt))
    .limit(1)
  return row
}

export const getPatchSet = async (db: Executor, id: string): Promise<PatchSetRow | undefined> => {
  const [row] = await db.select().from(patchSets).where(eq(patchSets.id, id))
  return row
}

/** The diff stored with a PatchSet; undefined for one recorded before diffs were stored. */
export const getPatchSetDiff = async (
  db: Executor,
  patchSetId: string,
): Promise<PatchSetDiffRow | undefined> => {
  const [row] = await db
    .select()
    .from(patchSetDiffs)
    .where(eq(patchSetDiffs.patchSetId, patchSetId))
  return row
}

export const listPatchSets = (db: Executor, workflowRunId: string): Promise<PatchSetRow[]> =>
  db
    .select()
    .from(patchSets)
    .where(eq(patchSets.workflowRunId, workflowRunId))
    .orderBy(asc(patchSets.createdAt))
