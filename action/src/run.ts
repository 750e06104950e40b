// The Action, start to end: inputs → diff → policy (from the base branch) →
// reviewers in parallel → score → annotations, job summary, outputs → OIDC
// token → ReviewRuns posted to PatchPlane. Returns the exit code.
import { type ReviewerName, reviewerNames, scoreReviews } from "@patchplane/app/domain"
import { runReviewers } from "./fan-out.ts"
import { collectDiff } from "./git.ts"
import { eventHeadSha, readInputs } from "./inputs.ts"
import { requestIdToken } from "./oidc.ts"
import { loadPolicy } from "./policy.ts"
import { postResults, resultsBody } from "./post-results.ts"
import { reviewerEnv } from "./process.ts"
import { annotations, summaryMarkdown } from "./report.ts"
import { annotation, appendSummary, type Env, group, type Output, setOutput } from "./toolkit.ts"

const logRefOf = (env: Env): string | null =>
  env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID
    ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
    : null

export const run = async (env: Env, out: Output): Promise<number> => {
  const inputs = readInputs(env)
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
  for (const line of annotations(outcomes)) out.write(line)
  const score = scoreReviews(policy, outcomes)

  let decisionLine = "Not posted: no `patchplane-url` input."
  let posted = true
  let decisionState: string | null = null
  if (inputs.patchplaneUrl !== null && inputs.runId === null)
    decisionLine = "Not posted: this branch is not a PatchPlane run (`patchplane/<run-id>`)."
  else if (inputs.patchplaneUrl !== null && inputs.runId !== null) {
    try {
      const token = await requestIdToken(env, inputs.audience)
      const answer = await postResults(
        { url: inputs.patchplaneUrl, runId: inputs.runId, token },
        resultsBody(outcomes, diff.headSha, {
          patchSetId: inputs.patchSetId,
          logRef: logRefOf(env),
        }),
      )
      decisionState = answer.decision?.state ?? null
      decisionLine = `PatchPlane decision for run \`${inputs.runId}\`: **${decisionState ?? "unknown"}**.`
    } catch (error) {
      posted = false
      const message = error instanceof Error ? error.message : String(error)
      decisionLine = `Posting to PatchPlane failed: ${message}`
      out.write(annotation("error", message, { title: "PatchPlane" }))
    }
  }
  out.write(decisionLine)
  appendSummary(
    env,
    summaryMarkdown({ outcomes, score, policySource: source, headSha: diff.headSha, decisionLine }),
  )
  setOutput(env, "score", score.weightedScore.toFixed(3))
  setOutput(env, "passed", String(score.passed))
  setOutput(env, "decision", decisionState ?? "")
  setOutput(
    env,
    "review-runs",
    JSON.stringify(
      resultsBody(outcomes, diff.headSha, { patchSetId: inputs.patchSetId, logRef: null })
        .reviewRuns,
    ),
  )
  return score.passed && posted && decisionState !== "rejected" ? 0 : 1
}
