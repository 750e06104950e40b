// Review mode: inputs → diff → policy (from the base branch) → reviewers in
// parallel → score → annotations, job summary, outputs → the results file.
// The code under review runs in this job, which must not hold an id-token
// permission: nothing here requests a token or talks to PatchPlane.
import { type ReviewerName, reviewerNames, scoreReviews } from "@patchplane/domain"
import { runReviewers } from "./fan-out.ts"
import { collectDiff } from "./git.ts"
import { type ActionInputs, eventHeadSha } from "./inputs.ts"
import { loadPolicy } from "./policy.ts"
import { resultsBody } from "./post-results.ts"
import { reviewerEnv } from "./process.ts"
import { annotations, summaryMarkdown } from "./report.ts"
import { writeResultsFile } from "./results-file.ts"
import { appendSummary, type Env, group, type Output, setOutput } from "./toolkit.ts"

const logRefOf = (env: Env): string | null =>
  env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID
    ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
    : null

/** Exit 0 once the results are written, whatever they say: the report job judges. */
export const runReview = async (env: Env, out: Output, inputs: ActionInputs): Promise<number> => {
  const childEnv = reviewerEnv(env)
  const headSha = eventHeadSha(env)
  const diff = await collectDiff(inputs.workingDirectory, childEnv, {
    baseRef: inputs.baseRef,
    ...(headSha === undefined ? {} : { headSha }),
  })
  const { policy, source } = await loadPolicy(diff, inputs.policyPath)
  const names: ReadonlyArray<ReviewerName> =
    inputs.reviewers ?? reviewerNames.filter((n) => policy.reviewers[n] !== undefined)
  out.write(
    `PatchPlane: ${names.join(", ")} on ${diff.files.length} changed file(s), ${diff.baseSha.slice(0, 7)}..${diff.headSha.slice(0, 7)}; policy ${source}`,
  )

  const outcomes = await runReviewers({
    names,
    timeoutMs: inputs.timeoutSeconds * 1000,
    context: {
      cwd: inputs.workingDirectory,
      env: childEnv,
      diff,
      policy,
      oxlintCommand: inputs.oxlintCommand,
      testCommand: inputs.testCommand,
    },
  })
  for (const o of outcomes)
    group(
      out,
      `${o.reviewer}: ${o.error ?? o.comments} (${(o.durationMs / 1000).toFixed(1)} s)`,
      o.log,
    )
  const annotated = annotations(outcomes)
  for (const line of annotated.lines) out.write(line)
  const score = scoreReviews(policy, outcomes)
  const body = resultsBody(outcomes, diff.headSha, {
    patchSetId: inputs.patchSetId,
    logRef: logRefOf(env),
  })
  const summary = summaryMarkdown({
    outcomes,
    score,
    policySource: source,
    headSha: diff.headSha,
    decisionLine: "Results handed to the report job, which posts them to PatchPlane.",
    annotationsNotShown: annotated.notShown,
  })
  writeResultsFile(inputs.resultsPath, {
    version: 1,
    headSha: diff.headSha,
    policySource: source,
    body,
    summary,
  })
  out.write(`PatchPlane: results written to ${inputs.resultsPath}`)
  appendSummary(env, summary)
  setOutput(env, "score", score.weightedScore.toFixed(3))
  setOutput(env, "passed", String(score.passed))
  setOutput(env, "review-runs", JSON.stringify(body.reviewRuns))
  return 0
}
