"use client"
// How long the run has taken: from the request to its end, ticking while it goes on.
import type { WorkflowRunState } from "../lib/api-types.ts"
import { duration } from "../lib/format.ts"
import { isTerminal } from "../lib/run-states.ts"
import { useRunTimes } from "./run-clock.tsx"

export function RunDuration({ state }: { state: WorkflowRunState }) {
  const { totalMs } = useRunTimes()
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
