"use client"
// One clock for a run's header: its duration and the stage bar read the same
// stage times, ticking once a second while the run goes on (a stopped run's
// clock stands still). Only the readers re-render on a tick.
import { createContext, type ReactNode, useContext, useMemo } from "react"
import type { TransitionRow, WorkflowRunState } from "../lib/api-types.ts"
import { type StageTimes, stageTimes } from "../lib/run-stages.ts"
import { isTerminal } from "../lib/run-states.ts"
import { useNow } from "../lib/use-now.ts"

const RunTimes = createContext<StageTimes | null>(null)

export function RunClock({
  state,
  transitions,
  children,
}: {
  state: WorkflowRunState
  transitions: ReadonlyArray<TransitionRow>
  children: ReactNode
}) {
  const now = useNow(isTerminal(state) ? null : 1_000)
  const times = useMemo(() => stageTimes(state, transitions, now), [state, transitions, now])
  return <RunTimes value={times}>{children}</RunTimes>
}

export const useRunTimes = (): StageTimes => {
  const times = useContext(RunTimes)
  if (times === null) throw new Error("useRunTimes is read inside a RunClock")
  return times
}
