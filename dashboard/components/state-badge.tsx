import type { WorkflowRunState } from "../lib/api-types.ts"
import { STATE_LABEL } from "../lib/run-states.ts"

/** A run's state as a colored label (the color is never the only cue: the text says it). */
export function StateBadge({ state }: { state: WorkflowRunState }) {
  return (
    <span className={`badge badge-${state}`} data-state={state}>
      {STATE_LABEL[state] ?? state}
    </span>
  )
}
