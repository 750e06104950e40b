// Runs the selected reviewers at the same time, each under its own timeout.
// A reviewer that throws or times out becomes an errored ReviewRun (score 0,
// one reviewer-error finding) instead of failing the others; whether that
// fails the run is the policy's call (required reviewers fail closed).
import {
  type Finding,
  type PolicySpec,
  type ReviewerName,
  reviewerErrorFinding,
} from "@patchplane/domain"
import { reviewers as registry } from "./reviewers/index.ts"
import type { Reviewer, ReviewerContext } from "./reviewers/types.ts"

export interface ReviewOutcome {
  readonly reviewer: ReviewerName
  readonly passed: boolean
  readonly score: number
  readonly comments: string
  readonly findings: ReadonlyArray<Finding>
  readonly durationMs: number
  /** Why the reviewer errored (crash or timeout); null when it ran to the end. */
  readonly error: string | null
  readonly log: string
}

export interface FanOutOptions {
  readonly names: ReadonlyArray<ReviewerName>
  readonly context: Omit<ReviewerContext, "signal">
  readonly timeoutMs: number
  /** Replaceable for tests and the benchmark. */
  readonly registry?: Readonly<Record<ReviewerName, Reviewer>>
}

const minScoreOf = (policy: PolicySpec, name: ReviewerName) =>
  policy.reviewers[name]?.minScore ?? 0.5

const runOne = async (
  name: ReviewerName,
  reviewer: Reviewer,
  options: FanOutOptions,
): Promise<ReviewOutcome> => {
  const started = performance.now()
  const controller = new AbortController()
  let timer: NodeJS.Timeout | undefined
  const timedOut = `timed out after ${options.timeoutMs / 1000} s`
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(timedOut))
      controller.abort()
    }, options.timeoutMs)
  })
  try {
    const output = await Promise.race([
      reviewer({ ...options.context, signal: controller.signal }),
      timeout,
    ])
    return {
      reviewer: name,
      passed: output.score >= minScoreOf(options.context.policy, name),
      score: output.score,
      comments: output.comments,
      findings: output.findings,
      durationMs: performance.now() - started,
      error: null,
      log: output.log ?? "",
    }
  } catch (error) {
    // A reviewer that stops on abort may reject first: the cause is still the timeout.
    const cause = controller.signal.aborted
      ? timedOut
      : error instanceof Error
        ? error.message
        : String(error)
    const message = `${name} reviewer errored: ${cause}`
    return {
      reviewer: name,
      passed: false,
      score: 0,
      comments: message,
      findings: [reviewerErrorFinding(message)],
      durationMs: performance.now() - started,
      error: message,
      log: "",
    }
  } finally {
    clearTimeout(timer)
  }
}

export const runReviewers = (options: FanOutOptions): Promise<ReadonlyArray<ReviewOutcome>> => {
  const table = options.registry ?? registry
  return Promise.all(options.names.map((name) => runOne(name, table[name], options)))
}
