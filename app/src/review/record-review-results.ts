// Stores a verified report: checks the token may speak for the run, finds the
// PatchSet, then upserts the ReviewRuns and records the PolicyEvaluator's
// MergeDecision in one transaction.
import {
  type Executor,
  findRunPatchSet,
  getReviewTarget,
  type RecordedReviews,
  recordReviewsAndDecision,
  type ReviewRunRow,
  type ReviewTarget,
} from "@patchplane/db"
import { Effect } from "effect"
import {
  decodeWith,
  isTerminalState,
  PolicySpec,
  type ReviewerName,
  type ScorableReview,
  type Severity,
} from "../domain/index.ts"
import { type ActionsClaims, rejectClaims } from "./actions-claims.ts"
import { evaluatedFile, evaluatePolicy } from "./policy-evaluator.ts"
import { type ClaimsRejected, ReviewRequestError } from "./review-errors.ts"
import type { ReviewResultsBody } from "./review-results-body.ts"

export interface RecordDeps {
  readonly db: Executor
  /** config.policy: applies when the run has no policy bundle. */
  readonly defaultPolicy: PolicySpec
}

export interface RecordedResults extends RecordedReviews {
  readonly target: ReviewTarget
  readonly patchSetId: string
}

const fail = (status: number, code: string, message: string) =>
  Effect.fail(new ReviewRequestError({ status, code, message }))

const database = <A>(what: string, run: () => Promise<A>) =>
  Effect.tryPromise({
    try: run,
    catch: (error) =>
      new ReviewRequestError({
        status: 500,
        code: "internal",
        message: `${what} failed: ${error instanceof Error ? error.message : error}`,
      }),
  })

const policyOf = (deps: RecordDeps, target: ReviewTarget) =>
  target.policySpec === null
    ? Effect.succeed(deps.defaultPolicy)
    : decodeWith(
        PolicySpec,
        `policy bundle ${target.policyBundleId}`,
      )(target.policySpec).pipe(
        Effect.mapError(
          (error) =>
            new ReviewRequestError({ status: 500, code: "policy_invalid", message: error.message }),
        ),
      )

// Stored rows are plain JSON; scoring reads only the reviewer, score and each
// finding's rule and file, written by this endpoint after decoding.
const storedReview = (row: ReviewRunRow): ScorableReview => ({
  reviewer: row.reviewer as ReviewerName,
  score: row.score,
  findings: row.findings.map((f) => ({
    file: String(f.file ?? ""),
    line: typeof f.line === "number" ? f.line : null,
    severity: (f.severity ?? "info") as Severity,
    message: String(f.message ?? ""),
    ...(typeof f.rule === "string" ? { rule: f.rule } : {}),
  })),
})

export const recordReviewResults = (
  deps: RecordDeps,
  input: {
    readonly runId: string
    readonly claims: ActionsClaims
    readonly body: ReviewResultsBody
  },
): Effect.Effect<RecordedResults, ReviewRequestError | ClaimsRejected> =>
  Effect.gen(function* () {
    const { runId, claims, body } = input
    const target = yield* database("loading the run", () => getReviewTarget(deps.db, runId))
    if (target === undefined) return yield* fail(404, "run_not_found", `no run ${runId}`)
    const rejected = rejectClaims(claims, { runId, ...target })
    if (rejected !== null) return yield* Effect.fail(rejected)
    const state = target.run.state
    if (isTerminalState(state) && state !== "decided")
      return yield* fail(409, "run_stopped", `run ${runId} is ${state}; its results are closed`)
    const patchSet = yield* database("loading the PatchSet", () =>
      findRunPatchSet(deps.db, runId, body.patchSetId),
    )
    if (patchSet === undefined)
      return yield* body.patchSetId === undefined
        ? fail(409, "no_patch_set", `run ${runId} has no PatchSet yet: nothing to review`)
        : fail(409, "patch_set_not_in_run", `PatchSet ${body.patchSetId} is not run ${runId}'s`)
    const policy = yield* policyOf(deps, target)
    const recorded = yield* database("recording the reviews", () =>
      recordReviewsAndDecision(deps.db, {
        workflowRunId: runId,
        patchSetId: patchSet.id,
        actor: `github-actions:${claims.repository}`,
        reviews: body.reviewRuns.map((r) => ({
          reviewer: r.reviewer,
          passed: r.passed,
          score: r.score,
          comments: r.comments,
          findings: r.findings.map((f) => ({ ...f })),
          logRef: r.logRef ?? null,
          artifactRefs: [...(r.artifactRefs ?? [])],
        })),
        decide: (reviews) => {
          const evaluation = evaluatePolicy({
            policy,
            reviews: reviews.map(storedReview),
            patchSet: {
              headSha: patchSet.headSha,
              files: patchSet.files.map(evaluatedFile),
              dependencyChanges: patchSet.dependencyChanges.map((d) => ({
                manifest: String(d.manifest),
                name: String(d.name),
              })),
            },
            reviewedSha: body.headSha,
          })
          return {
            policyBundleId: target.policyBundleId,
            weightedScore: evaluation.weightedScore,
            criteria: evaluation.criteria.map((c) => ({ ...c })),
            state: evaluation.state,
            decidedBy: "policy",
            issueNumber: target.issueNumber,
            pullRequestNumber: target.run.pullRequestNumber,
          }
        },
      }),
    )
    return { ...recorded, target, patchSetId: patchSet.id }
  })
