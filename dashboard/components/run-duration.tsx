"use client"
// How long the run has taken: from the request to its end, ticking while it goes on.
import type { TransitionRow, WorkflowRunState } from "../lib/api-types.ts"
import { duration } from "../lib/format.ts"
import { stageTimes } from "../lib/run-stages.ts"
import { isTerminal } from "../lib/run-states.ts"
import { useNow } from "../lib/use-now.ts"

export function RunDuration({
  state,
  transitions,
}: {
  state: WorkflowRunState
  transitions: ReadonlyArray<TransitionRow>
}) {
  const now = useNow(1_000)
  const { totalMs } = stageTimes(state, transitions, now)
  return (
    <div>
      <dt>Duration</dt>
      <dd data-testid="run-duration">
        {duration(totalMs)}
        {isTerminal(state) ? null : " so far"}
      </dd>
    </div>
  )
}
