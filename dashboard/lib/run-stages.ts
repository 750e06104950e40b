// Where a run is on its way, and how long each stage took, read from its
// transitions. An interrupt parks a run in awaiting_approval straight from the
// agent's stage: that is a pause of the Agent stage, not the Approval stage
// after review (which would mark Patch set and Review done).
import type { TransitionRow, WorkflowRunState } from "./api-types.ts"
import { isTerminal, STAGES } from "./run-states.ts"

const AGENT = STAGES.findIndex((stage) => stage.state === "running")
const APPROVAL = STAGES.findIndex((stage) => stage.state === "awaiting_approval")

/** The stage a transition leads into; null for a stop (cancelled, failed, timed out). */
const stageOf = (to: WorkflowRunState, from: WorkflowRunState | null): number | null => {
  if (to === "awaiting_approval") {
    const before = from === null ? -1 : STAGES.findIndex((stage) => stage.state === from)
    return before !== -1 && before <= AGENT ? AGENT : APPROVAL
  }
  const index = STAGES.findIndex((stage) => stage.state === to)
  return index === -1 ? null : index
}

export interface StageTimes {
  /** The furthest stage reached (the current one while the run goes on). */
  readonly current: number
  /** Milliseconds spent in each stage reached, by stage index (the current one up to `now`). */
  readonly spent: ReadonlyMap<number, number>
  /** The agent is paused by an operator, waiting for Approve. */
  readonly paused: boolean
  /** Whether the Approval stage was entered (after review). */
  readonly approvalReached: boolean
  /** From the request to the end (or `now`). */
  readonly totalMs: number
}

export const stageTimes = (
  state: WorkflowRunState,
  transitions: ReadonlyArray<TransitionRow>,
  now: number,
): StageTimes => {
  const ordered = transitions.toSorted((a, b) => a.createdAt.localeCompare(b.createdAt))
  const spent = new Map<number, number>()
  let current = 0
  let approvalReached = false
  let open: { stage: number; since: number } | null = null
  const close = (at: number) => {
    if (open !== null) spent.set(open.stage, (spent.get(open.stage) ?? 0) + (at - open.since))
    open = null
  }
  for (const t of ordered) {
    const at = Date.parse(t.createdAt)
    const stage = stageOf(t.toState, t.fromState)
    if (stage === APPROVAL) approvalReached = true
    if (open !== null && open.stage === stage) continue // a pause or resume within the stage
    close(at)
    if (stage === null) continue
    current = Math.max(current, stage)
    open = { stage, since: at }
  }
  const first = ordered[0]
  const last = ordered.at(-1)
  const end = isTerminal(state) && last !== undefined ? Date.parse(last.createdAt) : now
  close(end)
  const latest = last === undefined ? null : stageOf(last.toState, last.fromState)
  return {
    current,
    spent,
    paused: state === "awaiting_approval" && latest === AGENT,
    approvalReached,
    totalMs: first === undefined ? 0 : Math.max(0, end - Date.parse(first.createdAt)),
  }
}
