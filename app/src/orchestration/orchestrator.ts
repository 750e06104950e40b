// The orchestration service: everything outside orchestration/ starts and
// steers runs through it (slash commands, the control API, the dashboard).
// Operators act on the database — the run row is the truth, moved by
// compare-and-set — then the run's workflow is woken (and, for cancel and
// interrupt, the worker holding it is signalled) so it follows within seconds.
import {
  type Database,
  firstRunOfRequest,
  getControlFlag,
  getWorkflowRun,
  insertPendingInput,
  insertWorkflowRun,
  listOpenApprovals,
  listWorkflowRuns,
  recordMergeDecision,
  resolvePendingApprovals,
  setControlFlag,
  type WorkflowRunRow,
} from "@patchplane/db"
import { Effect, Schema } from "effect"
import { isTerminalState, type IllegalTransition, type WorkflowRunState } from "@patchplane/domain"
import { type DatabaseError, tryDatabase } from "../platform/database.ts"
import type { Engine } from "./dbos-engine.ts"
import type { InterruptController } from "./interrupts.ts"
import { type StaleTransition, transitionRun } from "./run-lifecycle.ts"
import { WAKE_TOPIC } from "./run-workflow.ts"

/** The durable engine or the interrupt channel did not take a call, or the run is unknown. */
export class OrchestratorError extends Schema.TaggedError<OrchestratorError>()(
  "OrchestratorError",
  { message: Schema.String },
) {}

/** The run is in a state that does not allow what was asked; `message` is shown to the user. */
export class NotAllowedNow extends Schema.TaggedError<NotAllowedNow>()("NotAllowedNow", {
  runId: Schema.String,
  state: Schema.String,
  message: Schema.String,
}) {}

export type ControlError =
  | OrchestratorError
  | DatabaseError
  | NotAllowedNow
  | IllegalTransition
  | StaleTransition

export interface EnqueueInput {
  readonly promptRequestId: string
  readonly repositoryId: string
  readonly policyBundleId?: string | null
  readonly actor: string
}

type Control<A = WorkflowRunRow> = Effect.Effect<A, ControlError>

export interface OrchestratorShape {
  readonly enqueue: (
    input: EnqueueInput,
  ) => Effect.Effect<WorkflowRunRow, OrchestratorError | DatabaseError>
  readonly cancel: (runId: string, actor: string, reason: string) => Control
  /** Stops the agent's current turn; the run waits for an operator (approve resumes it). */
  readonly interrupt: (runId: string, actor: string) => Control
  readonly approve: (runId: string, actor: string) => Control
  readonly reject: (runId: string, actor: string, reason: string) => Control
  /** Forces a human decision before the run can be decided. */
  readonly manualReview: (runId: string, actor: string, reason: string) => Control
  readonly retry: (runId: string, actor: string) => Control
  readonly steer: (runId: string, actor: string, message: string) => Control
  /** Kill switch: no new runs start while paused; running ones finish unless `cancelRunning`. */
  readonly pause: (
    actor: string,
    options: { cancelRunning: boolean },
  ) => Control<{ paused: true; cancelled: number }>
  readonly resume: (actor: string) => Control<{ paused: false; started: number }>
  readonly isPaused: Effect.Effect<boolean, DatabaseError>
}

const PAUSED = "runs.paused"

/** A call on the durable engine or the interrupt channel. */
const call = <A>(what: string, run: () => Promise<A>) =>
  Effect.tryPromise({
    try: run,
    catch: (error) => new OrchestratorError({ message: `${what}: ${String(error)}` }),
  })

const load = (db: Database, runId: string) =>
  tryDatabase("load run", () => getWorkflowRun(db, runId)).pipe(
    Effect.flatMap((run) =>
      run === undefined
        ? Effect.fail(new OrchestratorError({ message: `no WorkflowRun ${runId}` }))
        : Effect.succeed(run),
    ),
  )

const notNow = (run: WorkflowRunRow, message: string) =>
  Effect.fail(new NotAllowedNow({ runId: run.id, state: run.state, message }))

export interface DurableOrchestratorDeps {
  readonly db: Database
  readonly engine: Engine
  readonly interrupts: InterruptController
}

export const makeDurableOrchestrator = ({
  db,
  engine,
  interrupts,
}: DurableOrchestratorDeps): OrchestratorShape => {
  const wake = (runId: string) => call("wake run", () => engine.send(runId, WAKE_TOPIC, {}))
  const signal = (runId: string, kind: "cancel" | "interrupt" | "steer") =>
    call("signal run", () => interrupts.send(runId, kind))
  const paused = tryDatabase("read kill switch", () => getControlFlag(db, PAUSED)).pipe(
    Effect.map((value) => value === true),
  )
  const start = (run: WorkflowRunRow) =>
    call("enqueue run", () => engine.enqueue(run.id, run.repositoryId))

  const move = (run: WorkflowRunRow, to: WorkflowRunState, actor: string, reason: string) =>
    transitionRun(db, run, to, { actor, reason }).pipe(Effect.tap((moved) => wake(moved.id)))

  return {
    // Idempotent per request: a reprocessed delivery gets the run it already has.
    enqueue: (input) =>
      Effect.gen(function* () {
        const run = yield* tryDatabase(
          "create run",
          async () =>
            (await firstRunOfRequest(db, input.promptRequestId)) ??
            insertWorkflowRun(
              db,
              {
                promptRequestId: input.promptRequestId,
                repositoryId: input.repositoryId,
                policyBundleId: input.policyBundleId ?? null,
              },
              input.actor,
            ),
        )
        if (!(yield* paused)) yield* start(run)
        return run
      }),
    cancel: (runId, actor, reason) =>
      Effect.gen(function* () {
        const run = yield* load(db, runId)
        if (isTerminalState(run.state)) return yield* notNow(run, `the run is already ${run.state}`)
        const moved = yield* move(run, "cancelled", actor, reason)
        yield* signal(runId, "cancel")
        return moved
      }).pipe(
        // The workflow moved the run meanwhile (say provisioning → running): cancel what it is now.
        Effect.retry({ times: 5, while: (error) => error._tag === "StaleTransition" }),
      ),
    interrupt: (runId, actor) =>
      Effect.gen(function* () {
        const run = yield* load(db, runId)
        if (run.state !== "running")
          return yield* notNow(
            run,
            `the run is ${run.state}; only a running agent can be interrupted`,
          )
        yield* tryDatabase("record interrupt", () =>
          insertPendingInput(db, { workflowRunId: runId, kind: "interrupt", createdBy: actor }),
        )
        yield* signal(runId, "interrupt")
        return run
      }),
    approve: (runId, actor) =>
      Effect.gen(function* () {
        const run = yield* load(db, runId)
        if (run.state !== "awaiting_approval")
          return yield* notNow(run, `the run is ${run.state}, not waiting for approval`)
        const open = yield* tryDatabase("read approvals", () => listOpenApprovals(db, runId))
        // An interrupted or paused agent resumes; a decision waiting for a human is settled.
        const to = open.some((a) => a.kind === "runtime") ? "running" : "decided"
        const moved = yield* move(run, to, actor, `approved by ${actor}`)
        // A human settling a review is a MergeDecision of its own (humans keep merge authority).
        if (open.some((a) => a.kind === "merge"))
          yield* tryDatabase("record decision", () =>
            recordMergeDecision(db, {
              workflowRunId: runId,
              state: "accepted",
              decidedBy: actor,
              detail: `approved by ${actor}`,
            }),
          )
        yield* tryDatabase("resolve approval", () =>
          resolvePendingApprovals(db, {
            workflowRunId: runId,
            resolution: "approved",
            resolvedBy: actor,
          }),
        )
        return moved
      }),
    reject: (runId, actor, reason) =>
      Effect.gen(function* () {
        const run = yield* load(db, runId)
        if (run.state !== "awaiting_approval")
          return yield* notNow(run, `the run is ${run.state}, not waiting for approval`)
        const why = reason === "" ? `rejected by ${actor}` : `rejected by ${actor}: ${reason}`
        const open = yield* tryDatabase("read approvals", () => listOpenApprovals(db, runId))
        const moved = yield* move(run, "decided", actor, why)
        if (open.some((a) => a.kind === "merge"))
          yield* tryDatabase("record decision", () =>
            recordMergeDecision(db, {
              workflowRunId: runId,
              state: "rejected",
              decidedBy: actor,
              detail: why,
            }),
          )
        yield* tryDatabase("resolve approval", () =>
          resolvePendingApprovals(db, {
            workflowRunId: runId,
            resolution: "rejected",
            resolvedBy: actor,
          }),
        )
        return moved
      }),
    manualReview: (runId, actor, reason) =>
      Effect.gen(function* () {
        const run = yield* load(db, runId)
        if (run.state !== "reviewing")
          return yield* notNow(
            run,
            `the run is ${run.state}; manual review applies while reviewing`,
          )
        const why = reason === "" ? `manual review requested by ${actor}` : reason
        return yield* move(run, "awaiting_approval", actor, why)
      }),
    retry: (runId, actor) =>
      Effect.gen(function* () {
        const run = yield* load(db, runId)
        if (!["failed", "cancelled", "timed_out"].includes(run.state))
          return yield* notNow(run, `the run is ${run.state}; only a stopped run can be retried`)
        const next = yield* tryDatabase("retry", () =>
          insertWorkflowRun(
            db,
            {
              promptRequestId: run.promptRequestId,
              repositoryId: run.repositoryId,
              policyBundleId: run.policyBundleId,
            },
            actor,
          ),
        )
        if (!(yield* paused)) yield* start(next)
        return next
      }),
    steer: (runId, actor, message) =>
      Effect.gen(function* () {
        const run = yield* load(db, runId)
        if (isTerminalState(run.state)) return yield* notNow(run, `the run is already ${run.state}`)
        yield* tryDatabase("store steering message", () =>
          insertPendingInput(db, {
            workflowRunId: run.id,
            kind: "steer",
            message,
            createdBy: actor,
          }),
        )
        yield* signal(runId, "steer")
        return run
      }),
    pause: (actor, options) =>
      Effect.gen(function* () {
        yield* tryDatabase("set kill switch", () => setControlFlag(db, PAUSED, true, actor))
        let cancelled = 0
        if (options.cancelRunning) {
          const live = yield* tryDatabase("list live runs", () =>
            listWorkflowRuns(db, {
              states: [
                "queued",
                "provisioning",
                "running",
                "collecting",
                "reviewing",
                "awaiting_approval",
              ],
              limit: 10_000,
            }),
          )
          for (const run of live) {
            const ok = yield* move(
              run,
              "cancelled",
              actor,
              `cancelled by ${actor} (kill switch)`,
            ).pipe(
              Effect.as(true),
              Effect.catch(() => Effect.succeed(false)),
            )
            if (ok) {
              cancelled += 1
              yield* signal(run.id, "cancel")
            }
          }
        }
        return { paused: true as const, cancelled }
      }),
    resume: (actor) =>
      Effect.gen(function* () {
        yield* tryDatabase("clear kill switch", () => setControlFlag(db, PAUSED, false, actor))
        const queued = yield* tryDatabase("list queued runs", () =>
          listWorkflowRuns(db, { states: ["queued"], limit: 10_000 }),
        )
        for (const run of queued) yield* start(run)
        return { paused: false as const, started: queued.length }
      }),
    isPaused: paused,
  }
}
