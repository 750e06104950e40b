// CI triage records (see schema/ci.ts).
import { eq, inArray, sql } from "drizzle-orm"
import type { Executor } from "../client.ts"
import { ciTriage } from "../schema/index.ts"

export type CiTriageRow = typeof ciTriage.$inferSelect

/** The first failure of a GitHub workflow run; false when it was already recorded. */
export const startCiTriage = async (
  db: Executor,
  input: Omit<typeof ciTriage.$inferInsert, "id" | "createdAt" | "updatedAt" | "outcome">,
): Promise<boolean> => {
  const rows = await db
    .insert(ciTriage)
    .values(input)
    .onConflictDoNothing({ target: ciTriage.githubRunId })
    .returning({ id: ciTriage.id })
  return rows.length > 0
}

export const getCiTriage = async (
  db: Executor,
  githubRunId: number,
): Promise<CiTriageRow | undefined> => {
  const [row] = await db.select().from(ciTriage).where(eq(ciTriage.githubRunId, githubRunId))
  return row
}

export const settleCiTriage = async (
  db: Executor,
  githubRunId: number,
  values: Partial<Pick<CiTriageRow, "outcome" | "failure" | "repairRunId">>,
): Promise<void> => {
  await db
    .update(ciTriage)
    .set({ ...values, updatedAt: sql`now()` })
    .where(eq(ciTriage.githubRunId, githubRunId))
}

/** Every triage record of these runs, oldest first. */
export const ciTriageOf = (db: Executor, runIds: ReadonlyArray<string>): Promise<CiTriageRow[]> =>
  runIds.length === 0
    ? Promise.resolve([])
    : db
        .select()
        .from(ciTriage)
        .where(inArray(ciTriage.workflowRunId, [...runIds]))
        .orderBy(ciTriage.createdAt)
