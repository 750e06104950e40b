// Worker heartbeats and the atomic take-over of silent workers.
import { and, eq, isNull, lt, ne, sql } from "drizzle-orm"
import type { Executor } from "../client.ts"
import { workers } from "../schema/index.ts"

/** Registers (or re-registers, after a restart) a worker; clears any earlier take-over. */
export const registerWorker = async (
  db: Executor,
  worker: { executorId: string; roles: ReadonlyArray<string>; hostname: string; pid: number },
): Promise<void> => {
  const values = { ...worker, roles: [...worker.roles] }
  await db
    .insert(workers)
    .values(values)
    .onConflictDoUpdate({
      target: workers.executorId,
      set: {
        roles: values.roles,
        hostname: values.hostname,
        pid: values.pid,
        heartbeatAt: sql`now()`,
        stoppedAt: null,
        recoveredAt: null,
        recoveredBy: null,
      },
    })
}

/** Claims every worker silent for longer than the lease; each is claimed by exactly one caller. */
export const claimSilentWorkers = async (
  db: Executor,
  input: { claimant: string; leaseMs: number },
): Promise<string[]> =>
  (
    await db
      .update(workers)
      .set({ recoveredAt: sql`now()`, recoveredBy: input.claimant })
      .where(
        and(
          isNull(workers.recoveredAt),
          ne(workers.executorId, input.claimant),
          lt(workers.heartbeatAt, sql`now() - make_interval(secs => ${input.leaseMs / 1000})`),
        ),
      )
      .returning({ executorId: workers.executorId })
  ).map((row) => row.executorId)

export const markWorkerStopped = async (db: Executor, executorId: string): Promise<void> => {
  await db
    .update(workers)
    .set({ stoppedAt: sql`now()` })
    .where(eq(workers.executorId, executorId))
}

/** Sends a PostgreSQL notification (delivered to listeners when the transaction commits). */
export const notify = async (db: Executor, channel: string, payload: unknown): Promise<void> => {
  await db.execute(sql`SELECT pg_notify(${channel}, ${JSON.stringify(payload)})`)
}

/**
 * Beats the heart of a registered worker. False when another worker took over
 * this one's runs meanwhile (it missed its lease): the caller must stop
 * executing, or runs would execute twice.
 */
export const heartbeatWorker = async (db: Executor, executorId: string): Promise<boolean> => {
  const rows = await db
    .update(workers)
    .set({ heartbeatAt: sql`now()` })
    .where(and(eq(workers.executorId, executorId), isNull(workers.recoveredAt)))
    .returning({ executorId: workers.executorId })
  return rows.length > 0
}
