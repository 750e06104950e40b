// The Action in one of its two modes (see inputs.ts): review runs the
// reviewers and writes the results file; report posts it to PatchPlane.
import { readInputs } from "./inputs.ts"
import { runReport } from "./report-mode.ts"
import { runReview } from "./review-mode.ts"
import type { Env, Output } from "./toolkit.ts"

export const run = async (env: Env, out: Output): Promise<number> => {
  const inputs = readInputs(env)
  return inputs.mode === "report" ? runReport(env, out, inputs) : runReview(env, out, inputs)
}
