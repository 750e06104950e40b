// The one module that imports DBOS. A run is one durable DBOS workflow of
// checkpointed steps, stored in the `dbos` schema of our own PostgreSQL
// database (our tables stay in `public`: the WorkflowRun is the product's
// truth; DBOS's tables are its bookkeeping). Everything else in the app talks
// to the Engine interface below.
import { DBOS, Error as DBOSErrors } from "@dbos-inc/dbos-sdk"
// Recovering another (dead) executor's workflows is only on the executor object:
// SDK 5.3.0's public API (DBOS, DBOSClient) has no such call, and its only
// caller is DBOS.launch() for this executor's own id. The package exports the
// path ("./internal/*"), so it resolves; check it on every SDK upgrade.
import { DBOSExecutor } from "@dbos-inc/dbos-sdk/internal/dbos-executor"
import type { Logger } from "../platform/logger.ts"
import type { RunPlan } from "./run-steps.ts"

export const RUN_QUEUE = "patchplane-runs"
const EXECUTE_WORKFLOW = "patchplane.run"
const DECIDE_WORKFLOW = "patchplane.decide"

export interface StepOptions {
  /** Attempts before the step (and so the run) fails; 1 means no retry. */
  readonly attempts?: number
  /** First retry delay; doubles each time. */
  readonly intervalSeconds?: number
  /** Per-attempt time limit; the attempt's AbortSignal fires when it passes. */
  readonly timeoutMs?: number
}

/**
 * A step whose every attempt failed: one error for the run's reason, with each
 * attempt's failure kept (DBOS's own error repeats them all in its message).
 */
export class StepGaveUp extends Error {
  readonly attempts: number
  readonly failures: ReadonlyArray<unknown>
  constructor(failures: ReadonlyArray<unknown>) {
    super(`gave up after ${failures.length} attempts`, { cause: failures.at(-1) })
    this.attempts = failures.length
    this.failures = failures
  }
}

/** What a workflow body may do: checkpointed steps and durable waits. */
export interface WorkflowIO {
  /**
   * Runs `fn` once per workflow, whatever crashes happen: a completed step's
   * result is replayed from the database, never re-executed. The signal fires
   * when the attempt times out or the workflow is cancelled.
   */
  step<A>(name: string, fn: (signal: AbortSignal) => Promise<A>, options?: StepOptions): Promise<A>
  /** Waits durably (across restarts) for a message sent to this run on `topic`. */
  recv<T>(topic: string, timeoutSeconds: number): Promise<T | null>
  /** Durable clock: the same value on replay. */
  now(): Promise<number>
  /** Sends a message to another run's workflows (exactly once, even on replay). */
  send(runId: string, topic: string, message: unknown): Promise<void>
  /**
   * Hands the run to its decision workflow (not queued: waiting holds no
   * execution slot) with the plan `execute` resolved, stored as its input.
   */
  startDecision(runId: string, plan: RunPlan): Promise<void>
}

export interface WorkflowBodies {
  /** Queued and limited by the concurrency settings: the part that uses a sandbox. */
  readonly execute: (runId: string, io: WorkflowIO) => Promise<string>
  /** Started by `execute` once published: waits for reviews and humans. */
  readonly decide: (runId: string, io: WorkflowIO, plan: RunPlan) => Promise<string>
}

/** Workflow ids: the run id for execution, a suffix for its decision. */
export const decisionWorkflowId = (runId: string) => `${runId}:decide`

export interface EngineOptions {
  readonly databaseUrl: string
  /** Stable and unique per worker process; the key DBOS recovers pending work by. */
  readonly executorId: string
  /** Whether this process executes runs (role `worker`); a web-only process just enqueues. */
  readonly executes: boolean
  readonly globalConcurrency: number
  readonly perRepositoryConcurrency: number
  /** How often an idle worker looks for queued runs; DBOS's default (1000 ms) adds a second per run. */
  readonly pollingIntervalMs: number
  readonly log: Logger
}

export interface Engine {
  readonly executorId: string
  /** Starts the run's workflow (workflow id = run id, so enqueueing twice is a no-op). */
  enqueue(runId: string, partitionKey: string): Promise<void>
  send(runId: string, topic: string, message: unknown): Promise<void>
  /** Stops the workflow after its current step. */
  cancel(runId: string): Promise<void>
  status(runId: string): Promise<string | null>
  waitForResult(runId: string, timeoutSeconds: number): Promise<string | null>
  /** Takes over the pending workflows of executors that died. */
  recover(executorIds: ReadonlyArray<string>): Promise<number>
  shutdown(): Promise<void>
}

let launched = false

// Operators' messages go to whichever of the run's workflows exists (DBOS
// refuses messages to a workflow id it has never seen).
const sendToRun = async (runId: string, topic: string, message: unknown) => {
  const targets = [runId, decisionWorkflowId(runId)]
  const known = await Promise.all(targets.map((id) => DBOS.getWorkflowStatus(id)))
  await Promise.all(
    targets.filter((_id, i) => known[i] !== null).map((id) => DBOS.send(id, message, topic)),
  )
}

/**
 * DBOS caps idle transactions on its connections at 60 s. Left to itself it
 * does so with a `SET` queued on every new connection alongside the
 * borrower's first query, which pg deprecates (a DeprecationWarning at every
 * start); set in the URL, the server applies it at connect and DBOS skips its
 * `SET`.
 */
const withIdleTransactionTimeout = (url: string): string => {
  const parsed = new URL(url)
  const options = parsed.searchParams.get("options") ?? ""
  if (options.includes("idle_in_transaction_session_timeout")) return url
  parsed.searchParams.set(
    "options",
    `${options} -c idle_in_transaction_session_timeout=60000`.trim(),
  )
  return parsed.toString()
}

/** DBOS is process-global: one engine per process. */
export const startEngine = async (
  options: EngineOptions,
  bodies: WorkflowBodies,
): Promise<Engine> => {
  if (launched) throw new Error("the DBOS engine is already running in this process")
  const log = options.log.child({ component: "dbos", executorId: options.executorId })
  DBOS.setConfig({
    name: "patchplane",
    systemDatabaseUrl: withIdleTransactionTimeout(options.databaseUrl),
    systemDatabaseSchemaName: "dbos",
    executorID: options.executorId,
    logLevel: "error",
    enableOTLP: false,
    listenQueues: options.executes ? [RUN_QUEUE] : [],
  })

  const io: WorkflowIO = {
    step: (name, fn, stepOptions = {}) => {
      const attempts = stepOptions.attempts ?? 1
      return DBOS.runStep(
        () => {
          const status = DBOS.stepStatus
          const signals = [status?.cancelSignal, status?.timeoutSignal].filter(
            (s): s is AbortSignal => s !== undefined,
          )
          return fn(AbortSignal.any(signals))
        },
        {
          name,
          retriesAllowed: attempts > 1,
          maxAttempts: attempts,
          intervalSeconds: stepOptions.intervalSeconds ?? 1,
          backoffRate: 2,
          ...(stepOptions.timeoutMs === undefined ? {} : { timeoutMS: stepOptions.timeoutMs }),
        },
      ).catch((error: unknown) => {
        throw error instanceof DBOSErrors.DBOSMaxStepRetriesError
          ? new StepGaveUp(error.errors)
          : error
      })
    },
    recv: (topic, timeoutSeconds) => DBOS.recv(topic, { timeoutSeconds }),
    now: () => DBOS.now(),
    send: (runId, topic, message) => DBOS.send(runId, message, topic),
    startDecision: async (runId, plan) => {
      await DBOS.startWorkflow(decide, { workflowID: decisionWorkflowId(runId) })(runId, plan)
    },
  }
  const execute = DBOS.registerWorkflow((runId: string) => bodies.execute(runId, io), {
    name: EXECUTE_WORKFLOW,
  })
  const decide = DBOS.registerWorkflow(
    (runId: string, plan: RunPlan) => bodies.decide(runId, io, plan),
    {
      name: DECIDE_WORKFLOW,
    },
  )

  await DBOS.launch()
  launched = true
  await DBOS.registerQueue(RUN_QUEUE, {
    globalConcurrency: options.globalConcurrency,
    // A per-repository limit above the global one means the global one.
    partitionConcurrency: Math.min(options.perRepositoryConcurrency, options.globalConcurrency),
    minPollingIntervalMs: options.pollingIntervalMs,
    onConflict: "always_update",
  })
  log.info("durable workflow engine started")

  return {
    executorId: options.executorId,
    enqueue: async (runId, partitionKey) => {
      await DBOS.startWorkflow(execute, {
        workflowID: runId,
        queueName: RUN_QUEUE,
        enqueueOptions: { queuePartitionKey: partitionKey },
      })(runId)
    },
    send: sendToRun,
    cancel: (runId) => DBOS.cancelWorkflow(runId),
    status: async (runId) => (await DBOS.getWorkflowStatus(runId))?.status ?? null,
    waitForResult: (runId, timeoutSeconds) =>
      DBOS.getResult<string>(runId, { timeoutSeconds, pollingIntervalMs: 50 }),
    recover: async (executorIds) => {
      const executor = DBOSExecutor.globalInstance
      if (!executor || executorIds.length === 0) return 0
      return (await executor.recoverPendingWorkflows([...executorIds])).length
    },
    shutdown: async () => {
      await DBOS.shutdown()
      launched = false
    },
  }
}
