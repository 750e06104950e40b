import { desc, eq } from "drizzle-orm"
import type { Executor } from "../client.ts"
import { mergeDecisions } from "../schema/index.ts"
import { one } from "./one.ts"

export type MergeDecisionRow = typeof mergeDecisions.$inferSelect

/** The decision that stands for a run: the newest one. */
export const latestMergeDecision = async (
  db: Executor,
  workflowRunId: string,
): Promise<MergeDecisionRow | undefined> => {
  const [row] = await db
    .select()
    .from(mergeDecisions)
    .where(eq(mergeDecisions.workflowRunId, workflowRunId))
    .orderBy(desc(mergeDecisions.createdAt), desc(mergeDecisions.id))
    .limit(1)
  return row
}

export const insertMergeDecision = async (
  db: Executor,
  values: Omit<typeof mergeDecisions.$inferInsert, "id" | "createdAt">,
): Promise<MergeDecisionRow> =>
  one(await db.insert(mergeDecisions).values(values).returning(), "insertMergeDecision")
