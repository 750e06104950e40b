"use client"
// Where the run is on its way: each stage done (with how long it took),
// current, paused by an operator, or ahead; a run that stopped shows at which
// stage and why.
import type { WorkflowRunState } from "../lib/api-types.ts"
import { duration } from "../lib/format.ts"
import { isTerminal, STAGES, STATE_LABEL } from "../lib/run-states.ts"
import { useRunTimes } from "./run-clock.tsx"

export function StageProgress({
  state,
  reason,
}: {
  state: WorkflowRunState
  reason: string | null
}) {
  const times = useRunTimes()
  const stopped = isTerminal(state) && state !== "decided"
  return (
    <div className="stages-wrap">
      <ol className="stages" aria-label="Stage progress">
        {STAGES.map((stage, index) => {
          const status =
            state === "decided" || index < times.current
              ? "done"
              : index === times.current
                ? stopped
                  ? "stopped"
                  : times.paused
                    ? "paused"
                    : "current"
                : "ahead"
          // Approval is a detour: skipped when the run never needed it.
          const skipped =
            stage.state === "awaiting_approval" && !times.approvalReached && status === "done"
          const spent = times.spent.get(index)
          return (
            <li
              key={stage.state}
              className={`stage stage-${skipped ? "skipped" : status}`}
              data-stage={stage.state}
              aria-current={status === "current" || status === "paused" ? "step" : undefined}
            >
              <span className="stage-label">{stage.label}</span>
              {spent === undefined || skipped ? null : (
                <span className="stage-time">{duration(spent)}</span>
              )}
              <span className="visually-hidden">
                {skipped
                  ? " (not needed)"
                  : status === "done"
                    ? " (done)"
                    : status === "current"
                      ? " (current)"
                      : status === "paused"
                        ? " (paused)"
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
      ) : times.paused ? (
        <p className="stage-pause" role="status">
          The agent is paused{reason ? ` (${reason})` : ""}: Approve lets it go on with any message
          you send it; Reject ends the run.
        </p>
      ) : null}
    </div>
  )
}
