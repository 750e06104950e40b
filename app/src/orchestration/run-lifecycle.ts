// The only way a WorkflowRun changes state: check the domain's transition
// table, then compare-and-set in the database (with its audit row and
// provenance edge, see db/src/repositories/workflow-runs.ts).
import {
  advanceWorkflowRun,
  endOpenRuntimeSessions,
  type Executor,
  transitionWorkflowRun,
  type WorkflowRunRow,
} from "@patchplane/db"
import { Effect, Schema } from "effect"
import { type DatabaseError, tryDatabase } from "../platform/database.ts"
import {
  canTransition,
  IllegalTransition,
  isTerminalState,
  workflowRunTransitions,
  type WorkflowRunState,
} from "@patchplane/domain"

export class StaleTransition extends Schema.TaggedError<StaleTransition>()("StaleTransition", {
  runId: Schema.String,
  expected: Schema.String,
}) {
  override get message(): string {
    return `WorkflowRun ${this.runId} is no longer ${this.expected}: someone else moved it first`
  }
}

export const transitionRun = (
  db: Executor,
  run: Pick<WorkflowRunRow, "id" | "state">,
  to: WorkflowRunState,
  options: { reason?: string; actor?: string } = {},
): Effect.Effect<WorkflowRunRow, IllegalTransition | StaleTransition | DatabaseError> => {
  if (!canTransition(run.state, to))
    return Effect.fail(new IllegalTransition({ runId: run.id, from: run.state, to }))
  return tryDatabase(`moving WorkflowRun ${run.id} to ${to}`, () =>
    transitionWorkflowRun(db, {
      id: run.id,
      from: run.state,
      to,
      reason: options.reason ?? null,
      actor: options.actor ?? "system",
    }),
  ).pipe(
    Effect.flatMap((updated) =>
      updated === undefined
        ? Effect.fail(new StaleTransition({ runId: run.id, expected: run.state }))
        : Effect.succeed(updated),
    ),
    Effect.tap(() =>
      tryDatabase(`ending the sessions of WorkflowRun ${run.id}`, () =>
        endSessionsIfStopped(db, run.id, to),
      ),
    ),
  )
}

/** A run that is over has no live session (the runtime's own end may come a moment later). */
const endSessionsIfStopped = async (db: Executor, runId: string, to: WorkflowRunState) => {
  if (isTerminalState(to))
    await endOpenRuntimeSessions(db, runId, `the run was ${to.replace("_", " ")}`)
}

const allStates = Object.keys(workflowRunTransitions) as WorkflowRunState[]
/** For each target state, the states a run may reach it from. */
const sourcesOf = new Map(
  allStates.map((to) => [to, allStates.filter((from) => canTransition(from, to))] as const),
)

/**
 * The workflow's own moves along the transition table, in one statement.
 * True when the run moved, or was already there (a replay after a crash);
 * false when it is gone or was stopped meanwhile (an operator cancelled it).
 */
export const advanceRun = async (
  db: Executor,
  runId: string,
  to: WorkflowRunState,
  reason: string | null,
  /** Whose doing the move is, when a person's (an interrupt parks the run); "workflow" otherwise. */
  actor = "workflow",
): Promise<boolean> => {
  const { previous, moved } = await advanceWorkflowRun(db, {
    id: runId,
    from: sourcesOf.get(to) ?? [],
    to,
    reason,
    actor,
  })
  if (moved) {
    await endSessionsIfStopped(db, runId, to)
    return true
  }
  if (previous === undefined) return false
  if (previous === to) return true
  if (isTerminalState(previous)) return false
  throw new Error(`WorkflowRun ${runId} cannot move from ${previous} to ${to}`)
}
