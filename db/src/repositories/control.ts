// Human input to a run: steering messages, interrupts and approvals.
import { and, eq, isNull, sql } from "drizzle-orm"
import type { Executor } from "../client.ts"
import { controlFlags, pendingApprovals, pendingInputs } from "../schema/index.ts"
import { one } from "./one.ts"

export type PendingInputRow = typeof pendingInputs.$inferSelect
export type PendingApprovalRow = typeof pendingApprovals.$inferSelect

export const insertPendingInput = async (
  db: Executor,
  values: Omit<typeof pendingInputs.$inferInsert, "id" | "createdAt" | "deliveredAt">,
): Promise<PendingInputRow> =>
  one(await db.insert(pendingInputs).values(values).returning(), "insertPendingInput")

export const listUndeliveredInputs = (db: Executor, workflowRunId: string) =>
  db
    .select()
    .from(pendingInputs)
    .where(and(eq(pendingInputs.workflowRunId, workflowRunId), isNull(pendingInputs.deliveredAt)))
    .orderBy(pendingInputs.createdAt, pendingInputs.id)

export const insertPendingApproval = async (
  db: Executor,
  values: Omit<
    typeof pendingApprovals.$inferInsert,
    "id" | "createdAt" | "resolvedAt" | "resolution" | "resolvedBy"
  >,
): Promise<PendingApprovalRow> =>
  one(await db.insert(pendingApprovals).values(values).returning(), "insertPendingApproval")

/** Resolves every open approval of a run; returns how many were open. */
export const resolvePendingApprovals = async (
  db: Executor,
  input: { workflowRunId: string; resolution: "approved" | "rejected"; resolvedBy: string },
): Promise<number> => {
  const rows = await db
    .update(pendingApprovals)
    .set({ resolution: input.resolution, resolvedBy: input.resolvedBy, resolvedAt: sql`now()` })
    .where(
      and(
        eq(pendingApprovals.workflowRunId, input.workflowRunId),
        isNull(pendingApprovals.resolvedAt),
      ),
    )
    .returning({ id: pendingApprovals.id })
  return rows.length
}

/** Approvals a run is waiting on, oldest first. */
export const listOpenApprovals = (db: Executor, workflowRunId: string) =>
  db
    .select()
    .from(pendingApprovals)
    .where(
      and(eq(pendingApprovals.workflowRunId, workflowRunId), isNull(pendingApprovals.resolvedAt)),
    )
    .orderBy(pendingApprovals.createdAt, pendingApprovals.id)

export const getControlFlag = async (db: Executor, key: string): Promise<unknown> => {
  const [row] = await db.select().from(controlFlags).where(eq(controlFlags.key, key))
  return row?.value ?? null
}

export const setControlFlag = async (
  db: Executor,
  key: string,
  value: unknown,
  updatedBy: string,
): Promise<void> => {
  await db
    .insert(controlFlags)
    .values({ key, value, updatedBy })
    .onConflictDoUpdate({
      target: controlFlags.key,
      set: { value, updatedBy, updatedAt: sql`now()` },
    })
}

/** Marks a run's waiting inputs as delivered and returns them, oldest first (each exactly once). */
export const takeUndeliveredInputs = async (
  db: Executor,
  workflowRunId: string,
  kind: PendingInputRow["kind"],
): Promise<PendingInputRow[]> => {
  const rows = await db
    .update(pendingInputs)
    .set({ deliveredAt: sql`now()` })
    .where(
      and(
        eq(pendingInputs.workflowRunId, workflowRunId),
        eq(pendingInputs.kind, kind),
        isNull(pendingInputs.deliveredAt),
      ),
    )
    .returning()
  return rows.toSorted((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
}
