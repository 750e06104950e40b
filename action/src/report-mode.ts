// Report mode: runs in a job that checks out and runs none of the PR's code
// (it alone holds id-token: write). Reads the review job's results file,
// takes the run and head commit from its own event rather than the file,
// mints the OIDC token, posts, and sets the outputs and summary from
// PatchPlane's answer. Exit 1 unless PatchPlane took the results and its
// decision is not a rejection.
import { eventHeadSha, type ActionInputs } from "./inputs.ts"
import { requestIdToken } from "./oidc.ts"
import { postResults } from "./post-results.ts"
import { readResultsFile } from "./results-file.ts"
import { annotation, appendSummary, type Env, type Output, setOutput } from "./toolkit.ts"

export const runReport = async (env: Env, out: Output, inputs: ActionInputs): Promise<number> => {
  const results = readResultsFile(inputs.resultsPath)
  // The head this event is for: the PR's head, or the pushed commit.
  const head = eventHeadSha(env) ?? env.GITHUB_SHA ?? ""
  const fail = (message: string) => {
    out.write(annotation("error", message, { title: "PatchPlane" }))
    appendSummary(env, `${results.summary}\n\n${message}\n`)
    setOutput(env, "decision", "")
    return 1
  }
  if (inputs.patchplaneUrl === null) return fail("Not posted: no `patchplane-url` input.")
  if (inputs.runId === null)
    return fail("Not posted: this branch is not a PatchPlane run (`patchplane/<run-id>`).")
  if (head !== "" && results.headSha !== head)
    return fail(
      `Not posted: the review ran on ${results.headSha.slice(0, 12)}, but this event's head is ${head.slice(0, 12)}.`,
    )
  try {
    const token = await requestIdToken(env, inputs.audience)
    const answer = await postResults(
      { url: inputs.patchplaneUrl, runId: inputs.runId, token },
      {
        ...results.body,
        headSha: head === "" ? results.headSha : head,
        ...(inputs.patchSetId === null ? {} : { patchSetId: inputs.patchSetId }),
      },
    )
    const state = answer.decision?.state ?? null
    const line = `PatchPlane decision for run \`${inputs.runId}\`: **${state ?? "unknown"}**.`
    out.write(line)
    appendSummary(env, `${results.summary}\n\n${line}\n`)
    setOutput(env, "decision", state ?? "")
    setOutput(
      env,
      "score",
      answer.decision?.weightedScore === undefined ? "" : answer.decision.weightedScore.toFixed(3),
    )
    setOutput(env, "review-runs", JSON.stringify(results.body.reviewRuns))
    const passed = state !== null && state !== "rejected"
    setOutput(env, "passed", String(passed))
    return passed ? 0 : 1
  } catch (error) {
    return fail(`Posting to PatchPlane failed: ${error instanceof Error ? error.message : error}`)
  }
}
