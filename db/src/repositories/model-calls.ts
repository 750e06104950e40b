// Model usage accounting. The model gateway records every request it
// forwarded (or refused) as a model_calls row and adds the provider's usage
// figures to the RuntimeSession's totals in the same transaction, so the
// session totals always equal the sum of its calls. Budgets are checked
// against the per-run sum. The end of a session (status, reason) is written
// here too: it is the other half of a session's accounting.
import { and, asc, eq, isNull, sql } from "drizzle-orm"
import type { Executor } from "../client.ts"
import { modelCalls, runtimeSessions } from "../schema/index.ts"

export type ModelCallRow = typeof modelCalls.$inferSelect
export type NewModelCall = Omit<typeof modelCalls.$inferInsert, "id" | "createdAt">

export interface ModelUsage {
  readonly inputTokens: number
  readonly outputTokens: number
  readonly costUsd: number
  readonly calls: number
}

/**
 * Records one call and adds its usage to its session (when it has one). One
 * statement (a data-modifying CTE), so it is atomic and costs one round trip:
 * the gateway waits for it before the client may send its next call.
 */
export const recordModelCall = async (db: Executor, call: NewModelCall): Promise<void> => {
  const input = call.inputTokens ?? 0
  const output = call.outputTokens ?? 0
  const cost = call.costUsd ?? 0
  const sessionId = call.runtimeSessionId ?? null
  await db.execute(sql`
    with inserted as (
      insert into ${modelCalls}
        (workflow_run_id, runtime_session_id, model, input_tokens, output_tokens, cost_usd, status, duration_ms)
      values
        (${call.workflowRunId}, ${sessionId}, ${call.model}, ${input}, ${output}, ${cost}, ${call.status}, ${call.durationMs})
      returning runtime_session_id
    )
    update ${runtimeSessions}
    set input_tokens = input_tokens + ${input},
        output_tokens = output_tokens + ${output},
        cost_usd = cost_usd + ${cost}
    where id = (select runtime_session_id from inserted)`)
}

/** What a run has spent on models so far, over all its sessions. */
export const runModelUsage = async (db: Executor, workflowRunId: string): Promise<ModelUsage> => {
  const [row] = await db
    .select({
      inputTokens: sql<string>`coalesce(sum(${modelCalls.inputTokens}), 0)`,
      outputTokens: sql<string>`coalesce(sum(${modelCalls.outputTokens}), 0)`,
      costUsd: sql<string>`coalesce(sum(${modelCalls.costUsd}), 0)`,
      calls: sql<string>`count(*)`,
    })
    .from(modelCalls)
    .where(eq(modelCalls.workflowRunId, workflowRunId))
  return {
    inputTokens: Number(row?.inputTokens ?? 0),
    outputTokens: Number(row?.outputTokens ?? 0),
    costUsd: Number(row?.costUsd ?? 0),
    calls: Number(row?.calls ?? 0),
  }
}

export const listModelCalls = (db: Executor, workflowRunId: string): Promise<ModelCallRow[]> =>
  db
    .select()
    .from(modelCalls)
    .where(eq(modelCalls.workflowRunId, workflowRunId))
    .orderBy(asc(modelCalls.createdAt), asc(modelCalls.id))

export type RuntimeSessionEndStatus = "completed" | "failed" | "aborted"

/**
 * Ends a session once: status, why, and when. Returns undefined when it had
 * already ended (the first end wins).
 */
export const endRuntimeSession = async (
  db: Executor,
  id: string,
  end: { readonly status: RuntimeSessionEndStatus; readonly endReason: string },
): Promise<typeof runtimeSessions.$inferSelect | undefined> => {
  const [row] = await db
    .update(runtimeSessions)
    .set({ status: end.status, endReason: end.endReason, endedAt: new Date() })
    .where(and(eq(runtimeSessions.id, id), isNull(runtimeSessions.endedAt)))
    .returning()
  return row
}
