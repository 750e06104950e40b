// Where the run is on its way: each stage done, current, or ahead; a run that
// stopped shows at which stage and why.
import type { TransitionRow, WorkflowRunState } from "../lib/api-types.ts"
import { isTerminal, STAGES, STATE_LABEL } from "../lib/run-states.ts"

export function StageProgress({
  state,
  reason,
  transitions,
}: {
  state: WorkflowRunState
  reason: string | null
  transitions: ReadonlyArray<TransitionRow>
}) {
  const reached = new Set(transitions.map((t) => t.toState))
  reached.add(state)
  const stopped = isTerminal(state) && state !== "decided"
  // The last stage reached before the run stopped (or the current one).
  const lastIndex = STAGES.reduce(
    (last, stage, index) => (reached.has(stage.state) ? index : last),
    0,
  )
  return (
    <div className="stages-wrap">
      <ol className="stages" aria-label="Stage progress">
        {STAGES.map((stage, index) => {
          const status =
            state === "decided" || index < lastIndex
              ? "done"
              : index === lastIndex
                ? stopped
                  ? "stopped"
                  : "current"
                : "ahead"
          // Approval is a detour: skipped when the run never needed it.
          const skipped =
            stage.state === "awaiting_approval" && !reached.has(stage.state) && index < lastIndex
          return (
            <li
              key={stage.state}
              className={`stage stage-${skipped ? "skipped" : status}`}
              aria-current={status === "current" ? "step" : undefined}
            >
              <span className="stage-label">{stage.label}</span>
              <span className="visually-hidden">
                {skipped
                  ? " (not needed)"
                  : status === "done"
                    ? " (done)"
                    : status === "current"
                      ? " (current)"
                      : status === "stopped"
                        ? " (stopped here)"
                        : ""}
              </span>
            </li>
          )
        })}
      </ol>
      {stopped ? (
        <p className="stage-stop" role="status">
          {STATE_LABEL[state]}
          {reason ? `: ${reason}` : ""}
        </p>
      ) : null}
    </div>
  )
}
