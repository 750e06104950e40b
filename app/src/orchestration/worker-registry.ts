// Each control-plane process registers with a stable executor id and heart-
// beats. DBOS only recovers a restarting executor's own work, so a live
// worker claims (once, atomically) any worker silent past the lease and takes
// over its pending runs.
import { hostname } from "node:os"
import {
  claimSilentWorkers,
  type Database,
  heartbeatWorker,
  markWorkerStopped,
  registerWorker,
} from "@patchplane/db"
import type { Logger } from "../platform/logger.ts"
import type { Engine } from "./dbos-engine.ts"

export interface WorkerRegistryOptions {
  readonly executorId: string
  readonly roles: ReadonlyArray<string>
  readonly heartbeatMs: number
  readonly leaseMs: number
  /** Only processes that execute runs take over others' runs. */
  readonly recovers: boolean
  /**
   * Called when this worker learns another took over its runs (it missed its
   * lease, e.g. stalled): it must stop executing at once.
   */
  readonly onFenced: () => void
}

export const startWorkerRegistry = async (
  db: Database,
  engine: Engine,
  options: WorkerRegistryOptions,
  log: Logger,
) => {
  const register = () =>
    registerWorker(db, {
      executorId: options.executorId,
      roles: options.roles,
      hostname: hostname(),
      pid: process.pid,
    })
  const beat = async () => {
    if (await heartbeatWorker(db, options.executorId)) return
    log.error("another worker took over this worker's runs after it missed its lease; stopping")
    clearInterval(timer)
    options.onFenced()
  }

  const recoverDead = async () => {
    const ids = await claimSilentWorkers(db, {
      claimant: options.executorId,
      leaseMs: options.leaseMs,
    })
    if (ids.length === 0) return
    const count = await engine.recover(ids)
    log.warn(
      { executors: ids, runs: count },
      "took over the runs of workers that stopped heart-beating",
    )
  }

  await register()
  let ticking = false
  const timer = setInterval(() => {
    if (ticking) return
    ticking = true
    void (async () => {
      try {
        await beat()
        if (options.recovers) await recoverDead()
      } catch (error) {
        log.warn({ err: String(error) }, "worker heartbeat failed")
      } finally {
        ticking = false
      }
    })()
  }, options.heartbeatMs)
  timer.unref()

  return {
    stop: async () => {
      clearInterval(timer)
      await markWorkerStopped(db, options.executorId).catch(() => {})
    },
  }
}
