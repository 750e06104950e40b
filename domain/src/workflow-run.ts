// A WorkflowRun is the control plane's truth about one request being worked.
// Its state only moves along the transition table below.
import { Schema } from "effect"
import { Id, Timestamp } from "./primitives.ts"

export const WorkflowRunState = Schema.Literals([
  "queued",
  "provisioning",
  "running",
  "collecting",
  "reviewing",
  "awaiting_approval",
  "decided",
  "cancelled",
  "failed",
  "timed_out",
])
export type WorkflowRunState = typeof WorkflowRunState.Type

const stopped = ["cancelled", "failed", "timed_out"] as const

/** For each state, the states it may move to. Terminal states have none. */
export const workflowRunTransitions: Readonly<
  Record<WorkflowRunState, ReadonlyArray<WorkflowRunState>>
> = {
  queued: ["provisioning", ...stopped],
  provisioning: ["running", ...stopped],
  running: ["collecting", "awaiting_approval", ...stopped],
  collecting: ["reviewing", ...stopped],
  reviewing: ["awaiting_approval", "decided", ...stopped],
  // An approval either lets the agent continue (running) or settles the run.
  awaiting_approval: ["running", "decided", ...stopped],
  decided: [],
  cancelled: [],
  failed: [],
  timed_out: [],
}

export const isTerminalState = (state: WorkflowRunState): boolean =>
  workflowRunTransitions[state].length === 0

export const canTransition = (from: WorkflowRunState, to: WorkflowRunState): boolean =>
  workflowRunTransitions[from].includes(to)

export class IllegalTransition extends Schema.TaggedError<IllegalTransition>()(
  "IllegalTransition",
  { runId: Schema.String, from: WorkflowRunState, to: WorkflowRunState },
) {
  override get message(): string {
    return `WorkflowRun ${this.runId} cannot move from ${this.from} to ${this.to}`
  }
}

/** Where PatchPlane reports back on GitHub for this run. */
export const GitHubCallbacks = Schema.Struct({
  statusCommentId: Schema.NullOr(Schema.Int),
  checkRunId: Schema.NullOr(Schema.Int),
  pullRequestNumber: Schema.NullOr(Schema.Int),
})

export const WorkflowRun = Schema.Struct({
  id: Id,
  promptRequestId: Id,
  repositoryId: Id,
  executionTargetId: Schema.NullOr(Id),
  configProfileId: Schema.NullOr(Id),
  policyBundleId: Schema.NullOr(Id),
  state: WorkflowRunState,
  /** Why the run stopped (failed, cancelled, timed_out), shown to the user. */
  reason: Schema.NullOr(Schema.String),
  callbacks: GitHubCallbacks,
  createdAt: Timestamp,
  updatedAt: Timestamp,
})
export type WorkflowRun = typeof WorkflowRun.Type
