// Group commit for webhook deliveries. Every delivery is recorded durably
// before its work starts and gets its outcome afterwards; under load, the
// deliveries that arrive while one statement is in flight share the next
// one, so a burst costs a few round trips and fsyncs instead of two each.
import {
  type Database,
  type DeliveryOutcome,
  finishDeliveries,
  type NewDelivery,
  recordDeliveries,
  recordInertDeliveries,
} from "@patchplane/db"

interface Pending<I, O> {
  readonly item: I
  readonly resolve: (value: O) => void
  readonly reject: (error: unknown) => void
}

/** Runs `write` on everything queued; while a write is in flight, new items wait for the next. */
const batcher = <I, O>(write: (items: ReadonlyArray<I>) => Promise<ReadonlyArray<O>>) => {
  let queue: Array<Pending<I, O>> = []
  let inFlight: Promise<void> | null = null
  const drain = async (): Promise<void> => {
    while (queue.length > 0) {
      const batch = queue
      queue = []
      try {
        const results = await write(batch.map((p) => p.item))
        batch.forEach((p, i) => p.resolve(results[i] as O))
      } catch (error) {
        for (const p of batch) p.reject(error)
      }
    }
    inFlight = null
  }
  return {
    push: (item: I) =>
      new Promise<O>((resolve, reject) => {
        queue.push({ item, resolve, reject })
        inFlight ??= drain()
      }),
    idle: () => inFlight ?? Promise.resolve(),
  }
}

export interface FinishedDelivery {
  readonly deliveryId: string
  readonly outcome: Exclude<DeliveryOutcome, "received">
  readonly error: string | null
}

export const createDeliveryLog = (db: Database) => {
  const records = batcher((items: ReadonlyArray<NewDelivery>) => recordDeliveries(db, items))
  const inert = batcher((items: ReadonlyArray<NewDelivery & { readonly error: string }>) =>
    recordInertDeliveries(db, items),
  )
  const outcomes = batcher(async (items: ReadonlyArray<FinishedDelivery>) => {
    await finishDeliveries(db, items)
    return items.map(() => undefined)
  })
  return {
    /** firstSeen false (and retried false) means a redelivery: do no new work. */
    record: (delivery: NewDelivery) => records.push(delivery),
    /** A delivery that needs no work: recorded once, as ignored with `error` as the reason. */
    recordInert: (delivery: NewDelivery & { readonly error: string }) => inert.push(delivery),
    finish: (finished: FinishedDelivery) => outcomes.push(finished),
    idle: () => Promise.all([records.idle(), inert.idle(), outcomes.idle()]),
  }
}

export type DeliveryLog = ReturnType<typeof createDeliveryLog>
