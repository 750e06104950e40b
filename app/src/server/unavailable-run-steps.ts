// Until the execution and runtime layers are wired into the workflow, a run
// that reaches execution fails at once with a reason the user can read,
// instead of hanging or pretending to work.
import type { RunSteps } from "../orchestration/run-steps.ts"

const unavailable = () =>
  Promise.reject(
    new Error(
      "this PatchPlane build cannot execute runs yet: no sandbox/agent runtime is wired in",
    ),
  )

export const unavailableRunSteps: RunSteps = {
  createSandbox: unavailable,
  checkout: unavailable,
  runAgent: unavailable,
  collectPatchSet: unavailable,
  destroySandbox: () => Promise.resolve(),
  publish: unavailable,
}
