// The only way a WorkflowRun changes state: check the domain's transition
// table, then compare-and-set in the database (with its audit row and
// provenance edge, see db/src/repositories/workflow-runs.ts).
import { type Executor, transitionWorkflowRun, type WorkflowRunRow } from "@patchplane/db"
import { Effect, Schema } from "effect"
import { canTransition, IllegalTransition, type WorkflowRunState } from "../domain/index.ts"

export class StaleTransition extends Schema.TaggedError<StaleTransition>()("StaleTransition", {
  runId: Schema.String,
  expected: Schema.String,
}) {
  override get message(): string {
    return `WorkflowRun ${this.runId} is no longer ${this.expected}: someone else moved it first`
  }
}

export class LifecycleStoreError extends Schema.TaggedError<LifecycleStoreError>()(
  "LifecycleStoreError",
  { message: Schema.String },
) {}

export const transitionRun = (
  db: Executor,
  run: Pick<WorkflowRunRow, "id" | "state">,
  to: WorkflowRunState,
  options: { reason?: string; actor?: string } = {},
): Effect.Effect<WorkflowRunRow, IllegalTransition | StaleTransition | LifecycleStoreError> => {
  if (!canTransition(run.state, to))
    return Effect.fail(new IllegalTransition({ runId: run.id, from: run.state, to }))
  return Effect.tryPromise({
    try: () =>
      transitionWorkflowRun(db, {
        id: run.id,
        from: run.state,
        to,
        reason: options.reason ?? null,
        actor: options.actor ?? "system",
      }),
    catch: (error) => new LifecycleStoreError({ message: String(error) }),
  }).pipe(
    Effect.flatMap((updated) =>
      updated === undefined
        ? Effect.fail(new StaleTransition({ runId: run.id, expected: run.state }))
        : Effect.succeed(updated),
    ),
  )
}
