// Webhook deliveries, for diagnosing the intake:
//   GET  /api/deliveries?outcome=&repo=&cursor=&limit=   newest first (keyset pages)
//   POST /api/deliveries/:deliveryId/replay             admin: GitHub sends a failed one again
import { Schema } from "effect"
import { Id, IsoDate } from "../primitives.ts"

export const DeliveryOutcome = Schema.Literals([
  "received",
  "processed",
  "ignored",
  "refused",
  "failed",
])

export const Delivery = Schema.Struct({
  id: Id,
  /** GitHub's X-GitHub-Delivery. */
  deliveryId: Schema.String,
  event: Schema.String,
  action: Schema.NullOr(Schema.String),
  repositoryFullName: Schema.NullOr(Schema.String),
  outcome: DeliveryOutcome,
  error: Schema.NullOr(Schema.String),
  receivedAt: IsoDate,
  processedAt: Schema.NullOr(IsoDate),
  /** The PromptRequest it produced, if any. */
  promptRequestId: Schema.NullOr(Id),
})

export const DeliveryPage = Schema.Struct({
  deliveries: Schema.Array(Delivery),
  /** Pass as `cursor` for the next page; null on the last one. */
  nextCursor: Schema.NullOr(Schema.String),
})

/** 202 when GitHub was asked to send it again, 200 when it had already produced its request. */
export const ReplayAnswer = Schema.Struct({
  replayed: Schema.Boolean,
  message: Schema.String,
  promptRequestId: Schema.NullOr(Id),
})
