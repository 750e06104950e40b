// Verified webhook deliveries, keyed by X-GitHub-Delivery.
import { and, eq, sql } from "drizzle-orm"
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
