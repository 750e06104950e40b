// The per-run RuntimeEvent log. Sequence numbers are handed out by bumping
// workflow_runs.last_event_seq under its row lock, so concurrent appends to
// one run get gapless, strictly increasing seqs (1, 2, 3, …) in commit order.
import { and, asc, desc, eq, gt, lt, sql } from "drizzle-orm"
import type { RuntimeEventPayload } from "@patchplane/domain"
import type { Executor } from "../client.ts"
import { one } from "./one.ts"
import { runtimeEvents, workflowRuns } from "../schema/index.ts"

export type RuntimeEventRow = typeof runtimeEvents.$inferSelect

export interface NewRuntimeEvent {
  readonly workflowRunId: string
  readonly runtimeSessionId?: string | null
  readonly kind: string
  readonly payload: RuntimeEventPayload
}

export const appendRuntimeEvents = (
  db: Executor,
  workflowRunId: string,
  events: ReadonlyArray<Omit<NewRuntimeEvent, "workflowRunId">>,
): Promise<RuntimeEventRow[]> =>
  db.transaction(async (tx) => {
    if (events.length === 0) return []
    const [counter] = await tx
      .update(workflowRuns)
      .set({ lastEventSeq: sql`${workflowRuns.lastEventSeq} + ${events.length}` })
      .where(eq(workflowRuns.id, workflowRunId))
      .returning({ last: workflowRuns.lastEventSeq })
    if (!counter) throw new Error(`WorkflowRun ${workflowRunId} does not exist`)
    const first = counter.last - events.length + 1
    return tx
      .insert(runtimeEvents)
      .values(
        events.map((event, index) => ({
          workflowRunId,
          runtimeSessionId: event.runtimeSessionId ?? null,
          seq: first + index,
          kind: event.kind,
          payload: event.payload,
        })),
      )
      .returning()
  })

export const appendRuntimeEvent = async (
  db: Executor,
  event: NewRuntimeEvent,
): Promise<RuntimeEventRow> => {
  return one(await appendRuntimeEvents(db, event.workflowRunId, [event]), "appendRuntimeEvent")
}

/** Events of one run in replay order, optionally after a seq (for resuming a stream). */
export const listRuntimeEvents = (
  db: Executor,
  workflowRunId: string,
  options: { afterSeq?: number; limit?: number } = {},
): Promise<RuntimeEventRow[]> =>
  db
    .select()
    .from(runtimeEvents)
    .where(
      and(
        eq(runtimeEvents.workflowRunId, workflowRunId),
        options.afterSeq === undefined ? undefined : gt(runtimeEvents.seq, options.afterSeq),
      ),
    )
    .orderBy(asc(runtimeEvents.seq))
    .limit(options.limit ?? 1000)

/**
 * The newest `limit` events of a run before `beforeSeq` (all of them when
 * absent), oldest first: what a page showing the latest work loads, and the
 * page of earlier ones it asks for next.
 */
export const latestRuntimeEvents = async (
  db: Executor,
  workflowRunId: string,
  options: { beforeSeq?: number; limit: number },
): Promise<RuntimeEventRow[]> =>
  (
    await db
      .select()
      .from(runtimeEvents)
      .where(
        and(
          eq(runtimeEvents.workflowRunId, workflowRunId),
          options.beforeSeq === undefined ? undefined : lt(runtimeEvents.seq, options.beforeSeq),
        ),
      )
      .orderBy(desc(runtimeEvents.seq))
      .limit(options.limit)
  ).toReversed()
