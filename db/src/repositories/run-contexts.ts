// The context a run's agent saw, stored once per run and linked in provenance.
import { eq } from "drizzle-orm"
import type { Executor } from "../client.ts"
import { provenanceEdges, runContexts } from "../schema/index.ts"

export type RunContextRow = typeof runContexts.$inferSelect
export type NewRunContext = Omit<typeof runContexts.$inferInsert, "id" | "createdAt">

/**
 * Stores what the agent saw. A replayed step (after a crash) finds the row
 * already there and keeps it: the first assembly is what the model was given.
 */
export const saveRunContext = (db: Executor, input: NewRunContext): Promise<RunContextRow> =>
  db.transaction(async (tx) => {
    const [inserted] = await tx
      .insert(runContexts)
      .values(input)
      .onConflictDoNothing({ target: runContexts.workflowRunId })
      .returning()
    if (inserted !== undefined) {
      await tx.insert(provenanceEdges).values({
        fromKind: "workflow_run",
        fromId: input.workflowRunId,
        relation: "saw",
        toKind: "run_context",
        toId: inserted.id,
        actor: "workflow",
        data: { digest: input.digest, totalChars: input.totalChars },
      })
      return inserted
    }
    const [existing] = await tx
      .select()
      .from(runContexts)
      .where(eq(runContexts.workflowRunId, input.workflowRunId))
    if (existing === undefined) throw new Error("saveRunContext: row vanished")
    return existing
  })

export const getRunContext = async (
  db: Executor,
  workflowRunId: string,
): Promise<RunContextRow | undefined> => {
  const [row] = await db
    .select()
    .from(runContexts)
    .where(eq(runContexts.workflowRunId, workflowRunId))
  return row
}
