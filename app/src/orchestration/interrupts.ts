// InterruptController: cancel, interrupt and steer must reach a run within
// seconds on whichever worker holds it. DBOS cancels only between steps, so
// a long step (the agent's turn, a sandbox command) watches its run here and
// stops when told. Signals travel as PostgreSQL notifications.
import { type Database, notify } from "@patchplane/db"
import type { NotificationListener } from "./notification-listener.ts"

export const CONTROL_CHANNEL = "patchplane_control"

export type ControlKind = "cancel" | "interrupt" | "steer"

export interface RunWatch {
  /** Aborts on cancel or interrupt; `signal.reason` is the ControlKind. */
  readonly signal: AbortSignal
  /** Steering messages wait in pendingInputs; this wakes whoever delivers them. */
  onSteer(handler: () => void): void
  dispose(): void
}

export interface InterruptController {
  watch(runId: string): RunWatch
  send(runId: string, kind: ControlKind): Promise<void>
}

export const createInterruptController = (
  db: Database,
  listener: NotificationListener,
): InterruptController => {
  const watchers = new Map<string, Set<(kind: ControlKind) => void>>()
  listener.on(CONTROL_CHANNEL, (payload) => {
    try {
      const { runId, kind } = JSON.parse(payload) as { runId: string; kind: ControlKind }
      for (const handler of watchers.get(runId) ?? []) handler(kind)
    } catch {
      // Not ours: ignore.
    }
  })
  return {
    watch: (runId) => {
      const controller = new AbortController()
      const steerHandlers = new Set<() => void>()
      const handler = (kind: ControlKind) => {
        if (kind === "steer") for (const h of steerHandlers) h()
        else controller.abort(kind)
      }
      const set = watchers.get(runId) ?? new Set()
      set.add(handler)
      watchers.set(runId, set)
      return {
        signal: controller.signal,
        onSteer: (h) => void steerHandlers.add(h),
        dispose: () => {
          set.delete(handler)
          if (set.size === 0) watchers.delete(runId)
        },
      }
    },
    send: async (runId, kind) => {
      await notify(db, CONTROL_CHANNEL, { runId, kind })
    },
  }
}
