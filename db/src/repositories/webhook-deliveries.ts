// Verified webhook deliveries, keyed by X-GitHub-Delivery.
import { and, eq, inArray, sql } from "drizzle-orm"
import type { Executor } from "../client.ts"
import { one } from "./one.ts"
import { webhookDeliveries } from "../schema/index.ts"

export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect
export type DeliveryOutcome = WebhookDeliveryRow["outcome"]

/**
 * Records a delivery once. `firstSeen` is false for a redelivery of the same
 * id, which callers answer 2xx without doing the work again — unless the
 * first attempt failed: then the row is reset to `received` and the work is
 * retried (`retried: true`).
 */
export const recordDelivery = async (
  db: Executor,
  values: Omit<typeof webhookDeliveries.$inferInsert, "id" | "outcome" | "receivedAt">,
): Promise<{ firstSeen: boolean; retried: boolean; delivery: WebhookDeliveryRow }> => {
  const [inserted] = await db
    .insert(webhookDeliveries)
    .values(values)
    .onConflictDoNothing({ target: webhookDeliveries.deliveryId })
    .returning()
  if (inserted) return { firstSeen: true, retried: false, delivery: inserted }
  const [reset] = await db
    .update(webhookDeliveries)
    .set({ outcome: "received", error: null, processedAt: null, receivedAt: sql`now()` })
    .where(
      and(
        eq(webhookDeliveries.deliveryId, values.deliveryId),
        eq(webhookDeliveries.outcome, "failed"),
      ),
    )
    .returning()
  if (reset) return { firstSeen: false, retried: true, delivery: reset }
  const existing = await db
    .select()
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.deliveryId, values.deliveryId))
  return { firstSeen: false, retried: false, delivery: one(existing, "recordDelivery") }
}

export const finishDelivery = async (
  db: Executor,
  deliveryId: string,
  outcome: Exclude<DeliveryOutcome, "received">,
  error: string | null = null,
): Promise<void> => {
  await db
    .update(webhookDeliveries)
    .set({ outcome, error, processedAt: sql`now()` })
    .where(eq(webhookDeliveries.deliveryId, deliveryId))
}

export const getDelivery = async (
  db: Executor,
  deliveryId: string,
): Promise<WebhookDeliveryRow | undefined> => {
  const [row] = await db
    .select()
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.deliveryId, deliveryId))
  return row
}

export type NewDelivery = Omit<
  typeof webhookDeliveries.$inferInsert,
  "id" | "outcome" | "receivedAt"
>

type BatchResult = { firstSeen: boolean; retried: boolean }

/** One entry per delivery id: the first occurrence in the batch. */
const firstById = <T extends { readonly deliveryId: string }>(values: ReadonlyArray<T>) => {
  const unique = new Map<string, T>()
  for (const value of values) if (!unique.has(value.deliveryId)) unique.set(value.deliveryId, value)
  return unique
}

/** Per input, in order: only the first occurrence of an id can be first seen or retried. */
const resultsInOrder = (
  values: ReadonlyArray<{ readonly deliveryId: string }>,
  inserted: ReadonlySet<string>,
  reset: ReadonlySet<string>,
): ReadonlyArray<BatchResult> => {
  const claimed = new Set<string>()
  return values.map(({ deliveryId: id }) => {
    if (claimed.has(id)) return { firstSeen: false, retried: false }
    claimed.add(id)
    return { firstSeen: inserted.has(id), retried: reset.has(id) }
  })
}

/**
 * Records many deliveries in one statement (group commit for the intake).
 * Same contract as recordDelivery, per delivery id; a repeated id within the
 * batch counts as a redelivery of the first.
 */
export const recordDeliveries = async (
  db: Executor,
  values: ReadonlyArray<NewDelivery>,
): Promise<ReadonlyArray<BatchResult>> => {
  const unique = firstById(values)
  const inserted = new Set(
    (
      await db
        .insert(webhookDeliveries)
        .values([...unique.values()])
        .onConflictDoNothing({ target: webhookDeliveries.deliveryId })
        .returning({ deliveryId: webhookDeliveries.deliveryId })
    ).map((row) => row.deliveryId),
  )
  const known = [...unique.keys()].filter((id) => !inserted.has(id))
  const reset =
    known.length === 0
      ? new Set<string>()
      : new Set(
          (
            await db
              .update(webhookDeliveries)
              .set({ outcome: "received", error: null, processedAt: null, receivedAt: sql`now()` })
              .where(
                and(
                  inArray(webhookDeliveries.deliveryId, known),
                  eq(webhookDeliveries.outcome, "failed"),
                ),
              )
              .returning({ deliveryId: webhookDeliveries.deliveryId })
          ).map((row) => row.deliveryId),
        )
  return resultsInOrder(values, inserted, reset)
}

/** Stores the outcomes of many deliveries in one statement. */
export const finishDeliveries = async (
  db: Executor,
  outcomes: ReadonlyArray<{
    deliveryId: string
    outcome: Exclude<DeliveryOutcome, "received">
    error: string | null
  }>,
): Promise<void> => {
  if (outcomes.length === 0) return
  const rows = sql.join(
    outcomes.map((o) => sql`(${o.deliveryId}, ${o.outcome}, ${o.error})`),
    sql`, `,
  )
  await db.execute(sql`
    UPDATE webhook_deliveries AS d
    SET outcome = v.outcome, error = v.error, processed_at = now()
    FROM (VALUES ${rows}) AS v(delivery_id, outcome, error)
    WHERE d.delivery_id = v.delivery_id
  `)
}

/**
 * Records deliveries that need no work (no command, no handler) with their
 * final outcome in one statement: one write instead of two. A repeated id is
 * a redelivery (`firstSeen: false`). Committed asynchronously (no wait for
 * the WAL flush, which is most of an intake's latency): these rows only log
 * what was ignored, so a PostgreSQL crash in the next fraction of a second
 * loses a log line, never work. A process crash loses nothing.
 */
export const recordInertDeliveries = async (
  db: Executor,
  values: ReadonlyArray<NewDelivery & { readonly error: string }>,
): Promise<ReadonlyArray<BatchResult>> => {
  const unique = firstById(values)
  // SET LOCAL inside the statement (its implicit transaction), so the whole
  // write stays one round trip; the CTE runs because the rows refer to it.
  const asyncCommit = db
    .$with("async_commit")
    .as(
      db
        .select({ at: sql<Date>`now()`.as("at") })
        .from(sql`(SELECT set_config('synchronous_commit', 'off', true)) AS c`),
    )
  const rows = await db
    .with(asyncCommit)
    .insert(webhookDeliveries)
    .values(
      [...unique.values()].map((v) => ({
        ...v,
        outcome: "ignored" as const,
        processedAt: sql`(SELECT at FROM async_commit)`,
      })),
    )
    .onConflictDoNothing({ target: webhookDeliveries.deliveryId })
    .returning({ deliveryId: webhookDeliveries.deliveryId })
  return resultsInOrder(values, new Set(rows.map((row) => row.deliveryId)), new Set())
}
