// Stores a verified report: checks the token may speak for the run (its
// repository, branch and review workflow), finds the round of that branch's
// chain that pushed the reviewed head, checks that round is still reviewing
// and the report is for its current PatchSet and head commit, then upserts
// the ReviewRuns and records the PolicyEvaluator's MergeDecision in one
// transaction — with the run row locked and its state checked again, so no
// result lands once the run is decided: the recorded decision, the check
// and the status comment stay as they are.
import {
  type Executor,
  findRunPatchSet,
  getReviewTarget,
  type RecordedReviews,
  recordReviewsAndDecision,
  type ReviewRunRow,
  type ReviewTarget,
  RunStateMoved,
} from "@patchplane/db"
import { Effect } from "effect"
import {
  decodeWith,
  isTerminalState,
  PolicySpec,
  type WorkflowRunState,
  type ReviewerName,
  type ReviewResultsBody,
  type ScorableReview,
  type Severity,
} from "@patchplane/domain"
import { tryDatabase } from "../platform/database.ts"
import { type ActionsClaims, rejectClaims } from "./actions-claims.ts"
import { roundOwningHead } from "./head-round.ts"
import { evaluatedFile, evaluatePolicy } from "./policy-evaluator.ts"
import { type ClaimsRejected, ReviewRequestError } from "./review-errors.ts"

export interface RecordDeps {
  readonly db: Executor
  /** config.policy: applies when the run has no policy bundle. */
  readonly defaultPolicy: PolicySpec
  /** config.review.workflowRefs: the job_workflow_refs that may report. */
  readonly workflowRefs: ReadonlyArray<string>
}

export interface RecordedResults extends RecordedReviews {
  readonly target: ReviewTarget
  readonly patchSetId: string
}

const fail = (status: number, code: string, message: string) =>
  Effect.fail(new ReviewRequestError({ status, code, message }))

/** Results are taken only while the run is reviewing: never after a decision. */
const notReviewing = (runId: string, state: string) =>
  isTerminalState(state as WorkflowRunState) && state !== "decided"
    ? fail(409, "run_stopped", `run ${runId} is ${state}; its results are closed`)
    : state === "decided" || state === "awaiting_approval"
      ? fail(
          409,
          "run_decided",
          `run ${runId} is ${state === "decided" ? "decided" : "waiting for a human decision"}; ` +
            "results are accepted only while it is reviewing, and the recorded decision stands",
        )
      : fail(409, "run_not_reviewing", `run ${runId} is ${state}, not reviewing yet`)

/** A database call, its failure said as the endpoint answers it. */
const database = <A>(what: string, run: () => Promise<A>) =>
  tryDatabase(what, run).pipe(
    Effect.mapError(({ cause }) =>
      cause instanceof RunStateMoved
        ? new ReviewRequestError({
            status: 409,
            code: "run_decided",
            message: `${what}: ${cause.message} now; results are accepted only while it is reviewing`,
          })
        : new ReviewRequestError({
            status: 500,
            code: "internal",
            message: `${what} failed: ${cause instanceof Error ? cause.message : String(cause)}`,
          }),
    ),
  )

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
    const { claims, body } = input
    const branchRun = yield* database("loading the run", () =>
      getReviewTarget(deps.db, input.runId),
    )
    if (branchRun === undefined) return yield* fail(404, "run_not_found", `no run ${input.runId}`)
    // The token speaks for the branch `patchplane/<run-id>` the Action named…
    const rejected = rejectClaims(claims, { runId: input.runId, ...branchRun }, deps.workflowRefs)
    if (rejected !== null) return yield* Effect.fail(rejected)
    // …and the results belong to the round that pushed the reviewed head.
    const runId = yield* database("finding the round", () =>
      roundOwningHead(deps.db, input.runId, body.headSha),
    )
    const target =
      runId === input.runId
        ? branchRun
        : yield* database("loading the round", () => getReviewTarget(deps.db, runId))
    if (target === undefined) return yield* fail(404, "run_not_found", `no run ${runId}`)
    if (target.run.state !== "reviewing") return yield* notReviewing(runId, target.run.state)
    const patchSet = yield* database("loading the PatchSet", () =>
      findRunPatchSet(deps.db, runId, body.patchSetId),
    )
    if (patchSet === undefined)
      return yield* body.patchSetId === undefined
        ? fail(409, "no_patch_set", `run ${runId} has no PatchSet yet: nothing to review`)
        : fail(409, "patch_set_not_in_run", `PatchSet ${body.patchSetId} is not run ${runId}'s`)
    const newest = yield* database("loading the PatchSet", () => findRunPatchSet(deps.db, runId))
    if (newest !== undefined && newest.id !== patchSet.id)
      return yield* fail(
        409,
        "stale_patch_set",
        `PatchSet ${patchSet.id} was replaced by ${newest.id}; report on the run's current PatchSet`,
      )
    // The PatchSet's pushed commit is the run's head: results for any other
    // commit (an earlier push, or one pushed over the agent's) are not taken.
    // For push events GitHub's `sha` claim is that commit too; for
    // pull_request events it is the test merge commit, so only the body says.
    const head = patchSet.headSha
    const claimedSha = claims.event_name === "push" ? claims.sha : undefined
    if (
      head !== null &&
      (body.headSha !== head || (claimedSha !== undefined && claimedSha !== head))
    )
      return yield* fail(
        409,
        "stale_head",
        `the results are for ${(claimedSha !== undefined && claimedSha !== head ? claimedSha : body.headSha).slice(0, 12)}, ` +
          `but run ${runId}'s head is ${head.slice(0, 12)}; only results for the current head are accepted`,
      )
    const policy = yield* policyOf(deps, target)
    const recorded = yield* database("recording the reviews", () =>
      recordReviewsAndDecision(deps.db, {
        workflowRunId: runId,
        whileRunIn: "reviewing",
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
