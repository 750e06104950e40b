// The run lifecycle as the dashboard presents it, and which controls a state
// allows (the same rules the orchestrator enforces; the server has the last word).
import type { Role, WorkflowRunState } from "./api-types.ts"

export const STATE_LABEL: Record<WorkflowRunState, string> = {
  queued: "Queued",
  provisioning: "Provisioning",
  running: "Running",
  collecting: "Collecting",
  reviewing: "Reviewing",
  awaiting_approval: "Awaiting approval",
  decided: "Decided",
  cancelled: "Cancelled",
  failed: "Failed",
  timed_out: "Timed out",
}

/**
 * Every state, in lifecycle order. Derived from the labels, whose type the
 * domain's WorkflowRunState makes exhaustive: a state added there fails the
 * typecheck here until it has a label (the domain's Schema stays out of the
 * browser bundle).
 */
export const RUN_STATES = Object.keys(STATE_LABEL) as ReadonlyArray<WorkflowRunState>

/** The happy path, for the stage progress bar. */
export const STAGES: ReadonlyArray<{ state: WorkflowRunState; label: string }> = [
  { state: "queued", label: "Queued" },
  { state: "provisioning", label: "Sandbox" },
  { state: "running", label: "Agent" },
  { state: "collecting", label: "Patch set" },
  { state: "reviewing", label: "Review" },
  { state: "awaiting_approval", label: "Approval" },
  { state: "decided", label: "Decision" },
]

const TERMINAL = new Set<WorkflowRunState>(["decided", "cancelled", "failed", "timed_out"])
export const isTerminal = (state: WorkflowRunState): boolean => TERMINAL.has(state)

/**
 * What an empty section says once the run has ended without reaching it
 * ("Cancelled before a patch set."); null while it may still come.
 */
export const endedBefore = (state: WorkflowRunState, what: string): string | null =>
  state === "cancelled"
    ? `Cancelled before ${what}.`
    : state === "failed"
      ? `Failed before ${what}.`
      : state === "timed_out"
        ? `Timed out before ${what}.`
        : null

export type RunAction =
  | "cancel"
  | "interrupt"
  | "approve"
  | "reject"
  | "manual-review"
  | "steer"
  | "retry"

const RANK: Record<Role, number> = { viewer: 0, reviewer: 1, admin: 2 }
export const roleAtLeast = (role: Role, needed: Role): boolean => RANK[role] >= RANK[needed]

/** What may be done to a run in `state` by someone with `role`. */
export const allowedActions = (state: WorkflowRunState, role: Role): ReadonlyArray<RunAction> => {
  if (!roleAtLeast(role, "reviewer")) return []
  const actions: RunAction[] = []
  if (state === "running") actions.push("steer", "interrupt")
  else if (!isTerminal(state)) actions.push("steer")
  if (state === "awaiting_approval") actions.push("approve", "reject")
  if (state === "reviewing") actions.push("manual-review")
  if (state === "failed" || state === "cancelled" || state === "timed_out") actions.push("retry")
  if (!isTerminal(state)) actions.push("cancel")
  return actions
}
