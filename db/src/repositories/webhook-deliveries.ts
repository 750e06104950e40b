// Verified webhook deliveries, keyed by X-GitHub-Delivery.
import { eq, sql } from "drizzle-orm"
import type { Executor } from "../client.ts"
import { one } from "./one.ts"
import { webhookDeliveries } from "../schema/index.ts"

export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect
export type DeliveryOutcome = WebhookDeliveryRow["outcome"]

/**
 * Records a delivery once. `firstSeen` is false for a redelivery of the same
 * id, which callers answer 2xx without doing the work again.
 */
export const recordDelivery = async (
  db: Executor,
  values: Omit<typeof webhookDeliveries.$inferInsert, "id" | "outcome" | "receivedAt">,
): Promise<{ firstSeen: boolean; delivery: WebhookDeliveryRow }> => {
  const [inserted] = await db
    .insert(webhookDeliveries)
    .values(values)
    .onConflictDoNothing({ target: webhookDeliveries.deliveryId })
    .returning()
  if (inserted) return { firstSeen: true, delivery: inserted }
  const existing = await db
    .select()
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.deliveryId, values.deliveryId))
  return { firstSeen: false, delivery: one(existing, "recordDelivery") }
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
