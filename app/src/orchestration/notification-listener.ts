// One LISTEN connection per process, shared by everything that reacts to
// PostgreSQL notifications (interrupts, live events). It reconnects after a
// database restart and then tells subscribers to catch up from the tables.
import { Client } from "pg"
import type { Logger } from "../platform/logger.ts"

export type NotificationHandler = (payload: string) => void

export interface NotificationListener {
  /** Calls `handler` for every notification on `channel`; returns an unsubscribe function. */
  on(channel: string, handler: NotificationHandler): () => void
  /** Called after a reconnect, when notifications may have been missed. */
  onReconnect(handler: () => void): () => void
  close(): Promise<void>
}

export const startNotificationListener = async (
  url: string,
  channels: ReadonlyArray<string>,
  log: Logger,
): Promise<NotificationListener> => {
  const handlers = new Map<string, Set<NotificationHandler>>()
  const reconnectHandlers = new Set<() => void>()
  let client: Client | null = null
  const state = { closed: false }

  const connect = async (): Promise<void> => {
    const next = new Client({ connectionString: url, application_name: "patchplane-listen" })
    next.on("notification", (message) => {
      for (const handler of handlers.get(message.channel) ?? []) handler(message.payload ?? "")
    })
    next.on("error", (error) => {
      if (state.closed) return // the connection ends because we are stopping
      log.warn({ err: error.message }, "notification connection lost; reconnecting")
      void reconnect()
    })
    await next.connect()
    for (const channel of channels) await next.query(`LISTEN ${channel}`)
    client = next
  }

  let reconnecting: Promise<void> | null = null
  const reconnect = () => {
    reconnecting ??= (async () => {
      const old = client
      client = null
      await old?.end().catch(() => {})
      for (let delay = 100; !state.closed; delay = Math.min(delay * 2, 5_000)) {
        try {
          await connect()
          for (const handler of reconnectHandlers) handler()
          break
        } catch {
          await new Promise((r) => setTimeout(r, delay))
        }
      }
      reconnecting = null
    })()
    return reconnecting
  }

  await connect()
  return {
    on: (channel, handler) => {
      const set = handlers.get(channel) ?? new Set()
      set.add(handler)
      handlers.set(channel, set)
      return () => set.delete(handler)
    },
    onReconnect: (handler) => {
      reconnectHandlers.add(handler)
      return () => reconnectHandlers.delete(handler)
    },
    close: async () => {
      state.closed = true
      await client?.end().catch(() => {})
    },
  }
}
