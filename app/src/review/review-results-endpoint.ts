// POST /api/runs/:id/reviews — the companion Action reports ReviewRuns.
// Order matters: the OIDC token is checked before the body is read, so
// unauthenticated clients cannot make us buffer anything. Then the body is
// decoded, the token's claims are matched to the run, and the reviews and the
// resulting MergeDecision are stored (idempotent per PatchSet and reviewer).
import type { IncomingMessage, ServerResponse } from "node:http"
import type { Executor } from "@patchplane/db"
import { Effect } from "effect"
import {
  Api,
  decodeWith,
  duplicateReviewer,
  type MergeDecisionState,
  type PolicySpec,
  ReviewResultsBody,
} from "@patchplane/domain"
import { bearerToken, readJsonBody, sendAnswer } from "./http-io.ts"
import type { OidcVerifier } from "./oidc-verifier.ts"
import { recordReviewResults, type RecordedResults } from "./record-review-results.ts"
import {
  errorAnswer,
  OidcTokenError,
  type ReviewEndpointError,
  ReviewRequestError,
} from "./review-errors.ts"

/** What the lead's publication step needs after each decision (check run, status comment). */
export interface ReviewDecisionEvent {
  readonly runId: string
  readonly patchSetId: string
  readonly repository: string
  readonly pullRequestNumber: number | null
  readonly decision: {
    readonly id: string
    readonly state: MergeDecisionState
    readonly weightedScore: number
    readonly criteria: ReadonlyArray<Record<string, unknown>>
  }
}

export interface ReviewResultsDeps {
  readonly db: Executor
  /** makeOidcVerifier({ issuer: config.review.oidcIssuer, audience: config.review.oidcAudience }) */
  readonly verifier: OidcVerifier
  /** config.policy, for runs without a policy bundle. */
  readonly defaultPolicy: PolicySpec
  /** config.review.workflowRefs: the reusable review workflows whose tokens may report. */
  readonly workflowRefs: ReadonlyArray<string>
  /** 2 MiB by default; a full report with 4 × 500 findings stays well below. */
  readonly maxBodyBytes?: number
  /** Called after the decision is committed; a failure is logged, not answered. */
  readonly onDecision?: (event: ReviewDecisionEvent) => void | Promise<void>
  readonly log?: { readonly error: (obj: object, msg: string) => void }
}

export type ReviewResultsHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  runId: string,
) => Promise<void>

const ROUTE = /^\/api\/runs\/([^/]+)\/reviews\/?$/

/** The run id of a `/api/runs/:id/reviews` path, else null. */
export const reviewResultsRunId = (pathname: string): string | null => {
  const raw = ROUTE.exec(pathname)?.[1]
  if (raw === undefined) return null
  try {
    return decodeURIComponent(raw)
  } catch {
    return null
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

const decodeBody = (raw: unknown) =>
  Effect.gen(function* () {
    const body = yield* decodeWith(
      ReviewResultsBody,
      "review results",
    )(raw).pipe(
      Effect.mapError((error) => {
        const first = error.issues[0]
        return new ReviewRequestError({
          status: 400,
          code: "invalid_body",
          message: error.message,
          ...(first === undefined ? {} : { path: first.path }),
        })
      }),
    )
    const duplicate = duplicateReviewer(body)
    if (duplicate !== null)
      return yield* new ReviewRequestError({
        status: 400,
        code: "invalid_body",
        message: "each reviewer may report once per request",
        path: `reviewRuns[${duplicate}].reviewer`,
      })
    return body
  })

const answer = (recorded: RecordedResults): typeof Api.ReviewResultsAnswer.Type => ({
  runId: recorded.decision.workflowRunId,
  patchSetId: recorded.patchSetId,
  reviewRuns: recorded.reviews.map((r) => ({
    id: r.id,
    reviewer: r.reviewer,
    passed: r.passed,
    score: r.score,
    replaced: !r.inserted,
  })),
  decision: {
    id: recorded.decision.id,
    state: recorded.decision.state,
    weightedScore: recorded.decision.weightedScore,
    criteria: recorded.decision.criteria,
  },
})

export const createReviewResultsHandler = (deps: ReviewResultsDeps): ReviewResultsHandler => {
  const maxBodyBytes = deps.maxBodyBytes ?? 2 * 1024 * 1024

  const program = (req: IncomingMessage, runId: string) =>
    Effect.gen(function* () {
      if (req.method !== "POST")
        return yield* new ReviewRequestError({
          status: 405,
          code: "method_not_allowed",
          message: "use POST",
        })
      const token = bearerToken(req)
      if (token === null)
        return yield* new OidcTokenError({
          reason: "missing",
          message:
            "send the GitHub Actions OIDC token as Authorization: Bearer <token> " +
            "(the workflow needs permissions: id-token: write)",
        })
      const claims = yield* deps.verifier.verify(token)
      const body = yield* decodeBody(yield* readJsonBody(req, maxBodyBytes))
      if (!UUID.test(runId))
        return yield* new ReviewRequestError({
          status: 404,
          code: "run_not_found",
          message: `no run ${runId}`,
        })
      return yield* recordReviewResults(deps, { runId, claims, body })
    })

  const notify = async (recorded: RecordedResults) => {
    if (deps.onDecision === undefined) return
    try {
      await deps.onDecision({
        runId: recorded.decision.workflowRunId,
        patchSetId: recorded.patchSetId,
        repository: recorded.target.repository.fullName,
        pullRequestNumber: recorded.decision.pullRequestNumber,
        decision: {
          id: recorded.decision.id,
          state: recorded.decision.state,
          weightedScore: recorded.decision.weightedScore,
          criteria: recorded.decision.criteria,
        },
      })
    } catch (error) {
      deps.log?.error({ err: error, runId: recorded.decision.workflowRunId }, "onDecision failed")
    }
  }

  return async (req, res, runId) => {
    const outcome = await Effect.runPromise(
      program(req, runId).pipe(
        Effect.match({
          onFailure: (error: ReviewEndpointError) => ({ ok: false, error }) as const,
          onSuccess: (recorded) => ({ ok: true, recorded }) as const,
        }),
      ),
    )
    if (!outcome.ok) {
      req.resume() // drain what was not read, so the connection stays usable
      const { status, body } = errorAnswer(outcome.error)
      if (status === 405) res.setHeader("allow", "POST")
      if (status >= 500)
        deps.log?.error({ runId, error: body.error.message }, "review report failed")
      return sendAnswer(res, status, Api.ApiErrorBody, body)
    }
    sendAnswer(res, 200, Api.ReviewResultsAnswer, answer(outcome.recorded))
    await notify(outcome.recorded)
  }
}
