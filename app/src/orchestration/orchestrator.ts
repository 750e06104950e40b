// The orchestration service interface: everything outside orchestration/
// starts and steers runs through it. This is the thin, database-only layer the
// intake needs: a run is a durable `queued` row (the product's truth) and
// human input is stored for the executor. The durable workflow engine
// (ROADMAP: durable orchestration) implements the same interface.
import {
  type Database,
  firstRunOfRequest,
  getWorkflowRun,
  insertPendingInput,
  insertWorkflowRun,
  resolvePendingApprovals,
  type WorkflowRunRow,
} from "@patchplane/db"
import { Context, Effect, Layer, Schema } from "effect"
import { isTerminalState, type IllegalTransition } from "../domain/index.ts"
import { type LifecycleStoreError, type StaleTransition, transitionRun } from "./run-lifecycle.ts"

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
  | NotAllowedNow
  | IllegalTransition
  | StaleTransition
  | LifecycleStoreError

export interface EnqueueInput {
  readonly promptRequestId: string
  readonly repositoryId: string
  readonly policyBundleId?: string | null
  readonly actor: string
}

export interface OrchestratorShape {
  readonly enqueue: (input: EnqueueInput) => Effect.Effect<WorkflowRunRow, OrchestratorError>
  readonly cancel: (
    runId: string,
    actor: string,
    reason: string,
  ) => Effect.Effect<WorkflowRunRow, ControlError>
  readonly approve: (runId: string, actor: string) => Effect.Effect<WorkflowRunRow, ControlError>
  readonly reject: (
    runId: string,
    actor: string,
    reason: string,
  ) => Effect.Effect<WorkflowRunRow, ControlError>
  readonly retry: (runId: string, actor: string) => Effect.Effect<WorkflowRunRow, ControlError>
  readonly steer: (
    runId: string,
    actor: string,
    message: string,
  ) => Effect.Effect<WorkflowRunRow, ControlError>
}

const store = <A>(what: string, run: () => Promise<A>) =>
  Effect.tryPromise({
    try: run,
    catch: (error) => new OrchestratorError({ message: `${what}: ${String(error)}` }),
  })

const load = (db: Database, runId: string) =>
  store("load run", () => getWorkflowRun(db, runId)).pipe(
    Effect.flatMap((run) =>
      run === undefined
        ? Effect.fail(new OrchestratorError({ message: `no WorkflowRun ${runId}` }))
        : Effect.succeed(run),
    ),
  )

const notNow = (run: WorkflowRunRow, message: string) =>
  Effect.fail(new NotAllowedNow({ runId: run.id, state: run.state, message }))

export const makeDatabaseOrchestrator = (db: Database): OrchestratorShape => ({
  // Idempotent per request: a reprocessed delivery gets the run it already has.
  enqueue: (input) =>
    store(
      "enqueue",
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
    ),
  cancel: (runId, actor, reason) =>
    Effect.gen(function* () {
      const run = yield* load(db, runId)
      if (isTerminalState(run.state)) return yield* notNow(run, `the run is already ${run.state}`)
      return yield* transitionRun(db, run, "cancelled", { reason, actor })
    }),
  approve: (runId, actor) =>
    Effect.gen(function* () {
      const run = yield* load(db, runId)
      if (run.state !== "awaiting_approval")
        return yield* notNow(run, `the run is ${run.state}, not waiting for approval`)
      yield* store("resolve approval", () =>
        resolvePendingApprovals(db, {
          workflowRunId: run.id,
          resolution: "approved",
          resolvedBy: actor,
        }),
      )
      return yield* transitionRun(db, run, "running", { reason: `approved by ${actor}`, actor })
    }),
  reject: (runId, actor, reason) =>
    Effect.gen(function* () {
      const run = yield* load(db, runId)
      if (run.state !== "awaiting_approval")
        return yield* notNow(run, `the run is ${run.state}, not waiting for approval`)
      yield* store("resolve approval", () =>
        resolvePendingApprovals(db, {
          workflowRunId: run.id,
          resolution: "rejected",
          resolvedBy: actor,
        }),
      )
      const why = reason === "" ? `rejected by ${actor}` : `rejected by ${actor}: ${reason}`
      return yield* transitionRun(db, run, "decided", { reason: why, actor })
    }),
  retry: (runId, actor) =>
    Effect.gen(function* () {
      const run = yield* load(db, runId)
      if (!["failed", "cancelled", "timed_out"].includes(run.state))
        return yield* notNow(run, `the run is ${run.state}; only a stopped run can be retried`)
      return yield* store("retry", () =>
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
    }),
  steer: (runId, actor, message) =>
    Effect.gen(function* () {
      const run = yield* load(db, runId)
      if (isTerminalState(run.state)) return yield* notNow(run, `the run is already ${run.state}`)
      yield* store("store steering message", () =>
        insertPendingInput(db, { workflowRunId: run.id, kind: "steer", message, createdBy: actor }),
      )
      return run
    }),
})

export class Orchestrator extends Context.Service<Orchestrator, OrchestratorShape>()(
  "@patchplane/app/Orchestrator",
) {
  static readonly layerDatabase = (db: Database) =>
    Layer.succeed(Orchestrator, makeDatabaseOrchestrator(db))
}
