// RuntimeSessions: one agent runtime in one sandbox. The sandbox id is
// recorded as soon as the ExecutionAdapter hands it out, so an operator (or a
// restart) can always find, and delete, what a run left running.
import { and, asc, eq, isNull } from "drizzle-orm"
import type { Executor } from "../client.ts"
import { one } from "./one.ts"
import { provenanceEdges, runtimeSessions } from "../schema/index.ts"

export type RuntimeSessionRow = typeof runtimeSessions.$inferSelect
export type NewRuntimeSession = Omit<
  typeof runtimeSessions.$inferInsert,
  "id" | "startedAt" | "endedAt"
>
export type RuntimeSessionStatusValue = RuntimeSessionRow["status"]

/** A session, with its `executed` edge from the run in the provenance graph. */
export const insertRuntimeSession = (
  db: Executor,
  values: NewRuntimeSession,
): Promise<RuntimeSessionRow> =>
  db.transaction(async (tx) => {
    const row = one(
      await tx.insert(runtimeSessions).values(values).returning(),
      "insertRuntimeSession",
    )
    await tx.insert(provenanceEdges).values({
      fromKind: "workflow_run",
      fromId: row.workflowRunId,
      relation: "executed",
      toKind: "runtime_session",
      toId: row.id,
      actor: "system",
      data: { adapter: row.adapter },
    })
    return row
  })

export const getRuntimeSession = async (
  db: Executor,
  id: string,
): Promise<RuntimeSessionRow | undefined> => {
  const [row] = await db.select().from(runtimeSessions).where(eq(runtimeSessions.id, id))
  return row
}

export const listRuntimeSessions = (
  db: Executor,
  workflowRunId: string,
): Promise<RuntimeSessionRow[]> =>
  db
    .select()
    .from(runtimeSessions)
    .where(eq(runtimeSessions.workflowRunId, workflowRunId))
    .orderBy(asc(runtimeSessions.startedAt))

/** Records the sandbox the session runs in (backend id and workspace root). */
export const recordRuntimeSessionSandbox = async (
  db: Executor,
  id: string,
  sandbox: { sandboxId: string; workspaceRoot: string },
): Promise<RuntimeSessionRow> =>
  one(
    await db
      .update(runtimeSessions)
      .set({ sandboxId: sandbox.sandboxId, workspaceRoot: sandbox.workspaceRoot })
      .where(eq(runtimeSessions.id, id))
      .returning(),
    "recordRuntimeSessionSandbox",
  )

/**
 * Sets the status; the terminal ones (completed, failed, aborted) also stamp
 * endedAt. A session that has ended keeps its end (a late event batch does
 * not make it "running" again).
 */
export const setRuntimeSessionStatus = async (
  db: Executor,
  id: string,
  status: RuntimeSessionStatusValue,
): Promise<RuntimeSessionRow> => {
  const terminal = status === "completed" || status === "failed" || status === "aborted"
  const [row] = await db
    .update(runtimeSessions)
    .set(terminal ? { status, endedAt: new Date() } : { status })
    .where(and(eq(runtimeSessions.id, id), isNull(runtimeSessions.endedAt)))
    .returning()
  return (
    row ??
    one(
      await db.select().from(runtimeSessions).where(eq(runtimeSessions.id, id)),
      "setRuntimeSessionStatus",
    )
  )
}

/**
 * Ends the run's sessions still open when the run itself stops (cancelled,
 * failed, timed out): the graph and the run page never show a live session
 * on a run that is over. The runtime's own end, arriving later, finds it ended.
 */
export const endOpenRuntimeSessions = async (
  db: Executor,
  workflowRunId: string,
  endReason: string,
): Promise<number> => {
  const rows = await db
    .update(runtimeSessions)
    .set({ status: "aborted", endReason, endedAt: new Date() })
    .where(and(eq(runtimeSessions.workflowRunId, workflowRunId), isNull(runtimeSessions.endedAt)))
    .returning({ id: runtimeSessions.id })
  return rows.length
}
