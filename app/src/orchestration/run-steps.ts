// What a run does, step by step, as seen from the workflow. The live
// implementation composes the execution, runtime and publication services;
// tests provide their own. Every step must be safe to run again after a crash
// (idempotent by stored ids): a step that was cut off mid-way is re-run.
import type { PolicySpec, RevertTarget } from "@patchplane/domain"
import type { PlannedRun } from "../publication/planned-run.ts"

/**
 * What the workflow resolved about a run before provisioning it: its plan as
 * publication knows it, plus what only the agent's steps need.
 */
export interface RunPlan extends PlannedRun {
  /**
   * What the agent's model is given: the instruction under the run's GitHub
   * context, quoted as data (set by the workflow's context step).
   */
  readonly agentPrompt: string
  /** The comment that carried the request, if it came from one. */
  readonly requestCommentId: number | null
  readonly targetRef: string
  /** A revert request: the run reverts this merge instead of running the agent. */
  readonly revertOf: RevertTarget | null
  readonly policy: PolicySpec
  /** Epoch ms by which the run must be decided (policy budgets.runTimeoutSeconds). */
  readonly deadline: number
}

export interface SandboxRef {
  readonly sandboxId: string
  readonly runtimeSessionId: string | null
}

export type AgentOutcome =
  | { readonly kind: "completed" }
  /** Paused by an operator (`by`, when known): the run waits for approval to resume. */
  | { readonly kind: "interrupted"; readonly by?: string }
  | { readonly kind: "budget_exhausted"; readonly detail: string }
  | { readonly kind: "timed_out"; readonly detail: string }

/** Where the PatchSet's commit was pushed, and the PR it belongs in. */
export interface PushedBranch {
  readonly branch: string
  readonly commit: string
  /** The branch a new PR targets. */
  readonly base: string
  /** An open PatchPlane PR the commit was added to, or null to open one. */
  readonly pullRequest: number | null
}

export type CollectOutcome =
  | { readonly kind: "no-changes" }
  /** The policy refuses the PatchSet (e.g. a file over patchSetLimits): stored, never pushed. */
  | { readonly kind: "refused"; readonly patchSetId: string; readonly reason: string }
  | {
      readonly kind: "changes"
      readonly patchSetId: string
      readonly highRisk: boolean
      /** Absent where steps do not publish (tests that stop at the PatchSet). */
      readonly pushed?: PushedBranch
      /** Why the commit could not be pushed (the branch moved on): a human decides. */
      readonly conflict?: string
    }

/** Where a run's agent is told about operator input arriving while it works. */
export interface AgentControl {
  /** Fires on cancel or interrupt (reason: "cancel" | "interrupt") and at the run's deadline. */
  readonly signal: AbortSignal
  /**
   * `handler` runs once at once and again whenever a steering message is
   * stored; it should take the run's undelivered `steer` inputs
   * (takeUndeliveredInputs) and pass them to the agent.
   */
  onSteer(handler: () => void): void
  /**
   * The agent was interrupted before and an operator approved going on: the
   * steps resume its session (or, after a restart, start one that is told)
   * with the steering stored meanwhile.
   */
  readonly resuming: boolean
}

export interface RunSteps {
  createSandbox(plan: RunPlan, signal: AbortSignal): Promise<SandboxRef>
  checkout(plan: RunPlan, sandbox: SandboxRef, signal: AbortSignal): Promise<void>
  runAgent(plan: RunPlan, sandbox: SandboxRef, control: AgentControl): Promise<AgentOutcome>
  collectPatchSet(plan: RunPlan, sandbox: SandboxRef, signal: AbortSignal): Promise<CollectOutcome>
  /** Must tolerate a sandbox that is already gone. */
  destroySandbox(plan: RunPlan, sandbox: SandboxRef): Promise<void>
  /** Opens or updates the draft PR for the pushed branch; idempotent by stored ids. */
  publish(plan: RunPlan, patch: Extract<CollectOutcome, { kind: "changes" }>): Promise<void>
  /** After the decision: marks the draft PR ready when the policy (or a human) passed it. */
  publishDecision?(plan: RunPlan): Promise<void>
}
