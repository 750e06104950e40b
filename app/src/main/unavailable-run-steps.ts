// When this process cannot execute runs (GitHub App or model provider not
// configured), a run that reaches execution fails at once with what is
// missing, instead of hanging or pretending to work.
import type { RunSteps } from "../orchestration/run-steps.ts"

export const unavailableRunSteps = (missing: string): RunSteps => {
  const unavailable = () =>
    Promise.reject(new Error(`this PatchPlane cannot execute runs: ${missing}`))
  return {
    createSandbox: unavailable,
    checkout: unavailable,
    runAgent: unavailable,
    collectPatchSet: unavailable,
    destroySandbox: () => Promise.resolve(),
    publish: unavailable,
  }
}
