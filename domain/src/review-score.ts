// The weighted review score and its criteria, from ReviewRuns and a policy.
// One definition: the companion Action scores with it for its job summary and
// the control plane's PolicyEvaluator decides with it. Pure, no I/O.
import type { CriterionResult } from "./merge-decision.ts"
import type { PolicySpec, ReviewerPolicy } from "./policy-bundle.ts"
import type { Finding, ReviewerName, ReviewRun } from "./review-run.ts"

export const reviewerNames = [
  "lint",
  "tests",
  "security",
  "quality",
] as const satisfies ReadonlyArray<ReviewerName>

/**
 * A reviewer that crashed or timed out reports one finding with this rule. It
 * scores 0, and a required reviewer that errored fails the run (fail-closed).
 */
export const REVIEWER_ERROR_RULE = "patchplane/reviewer-error"

/**
 * The security reviewer reports each dependency change with this rule; the
 * PolicyEvaluator escalates them like the PatchSet's own dependency changes.
 */
export const DEPENDENCY_CHANGE_RULE = "patchplane/dependency-change"

export const reviewerErrorFinding = (message: string): Finding => ({
  file: "",
  line: null,
  severity: "critical",
  message,
  rule: REVIEWER_ERROR_RULE,
})

export type ScorableReview = Pick<ReviewRun, "reviewer" | "score" | "findings">

export const reviewerError = (review: ScorableReview): string | null =>
  review.findings.find((f) => f.rule === REVIEWER_ERROR_RULE)?.message ?? null

export type ReviewerVerdict = "passed" | "failed" | "errored" | "missing"

export interface ReviewerScore {
  readonly reviewer: ReviewerName
  readonly weight: number
  readonly required: boolean
  readonly minScore: number
  /** Null when the reviewer did not report. */
  readonly score: number | null
  readonly verdict: ReviewerVerdict
}

export interface ReviewScore {
  /** Σ weight × score over the policy's reviewers, divided by Σ weight (missing ones count 0). */
  readonly weightedScore: number
  readonly passScore: number
  /** Score at or above passScore and every required reviewer passed. */
  readonly passed: boolean
  readonly reviewers: ReadonlyArray<ReviewerScore>
  readonly criteria: ReadonlyArray<Criterion>
}

export type Criterion = typeof CriterionResult.Type

const fmt = (n: number) => String(Math.round(n * 1000) / 1000)

const verdictOf = (policy: ReviewerPolicy, review: ScorableReview | undefined): ReviewerVerdict => {
  if (review === undefined) return "missing"
  if (reviewerError(review) !== null) return "errored"
  return review.score >= policy.minScore ? "passed" : "failed"
}

const reviewerDetail = (entry: ReviewerScore, review: ScorableReview | undefined): string => {
  const terms = `weight ${fmt(entry.weight)}${entry.required ? ", required" : ""}`
  switch (entry.verdict) {
    case "missing":
      return `not reported (${terms})`
    case "errored":
      return `errored: ${review === undefined ? "" : reviewerError(review)} (${terms})`
    default:
      return `score ${fmt(entry.score ?? 0)} ${entry.verdict === "passed" ? "≥" : "<"} min ${fmt(entry.minScore)} (${terms})`
  }
}

/** Scores the reviews against the policy; reports of reviewers the policy does not list are ignored. */
export const scoreReviews = (
  policy: Pick<PolicySpec, "reviewers" | "passScore">,
  reviews: ReadonlyArray<ScorableReview>,
): ReviewScore => {
  const byName = new Map(reviews.map((r) => [r.reviewer, r]))
  const reviewers: Array<ReviewerScore> = []
  const criteria: Array<Criterion> = []
  for (const name of reviewerNames) {
    const spec = policy.reviewers[name]
    if (spec === undefined) continue
    const review = byName.get(name)
    const verdict = verdictOf(spec, review)
    const entry: ReviewerScore = {
      reviewer: name,
      weight: spec.weight,
      required: spec.required,
      minScore: spec.minScore,
      score: review === undefined ? null : verdict === "errored" ? 0 : review.score,
      verdict,
    }
    reviewers.push(entry)
    criteria.push({
      criterion: `reviewer:${name}`,
      passed: verdict === "passed",
      detail: reviewerDetail(entry, review),
    })
  }
  const totalWeight = reviewers.reduce((sum, r) => sum + r.weight, 0)
  const weightedScore =
    totalWeight === 0
      ? 0
      : Math.min(1, reviewers.reduce((sum, r) => sum + r.weight * (r.score ?? 0), 0) / totalWeight)
  const requiredFailing = reviewers.filter((r) => r.required && r.verdict !== "passed")
  const scorePassed = totalWeight > 0 && weightedScore >= policy.passScore
  criteria.push({
    criterion: "required-reviewers",
    passed: requiredFailing.length === 0,
    detail:
      requiredFailing.length === 0
        ? "every required reviewer passed"
        : `required reviewer ${requiredFailing.map((r) => `${r.reviewer} ${r.verdict}`).join(", ")} (fail-closed)`,
  })
  criteria.push({
    criterion: "weighted-score",
    passed: scorePassed,
    detail:
      totalWeight === 0
        ? "the policy gives no reviewer any weight"
        : `${fmt(weightedScore)} ${scorePassed ? "≥" : "<"} pass score ${fmt(policy.passScore)}`,
  })
  return {
    weightedScore,
    passScore: policy.passScore,
    passed: scorePassed && requiredFailing.length === 0,
    reviewers,
    criteria,
  }
}

const escapeRegExp = (text: string) => text.replace(/[.+^${}()|[\]\\]/g, "\\$&")

/** `**` spans directories, `*` and `?` stay within one; `{a,b}` alternates. */
export const globToRegExp = (glob: string): RegExp => {
  let out = ""
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] ?? ""
    if (c === "*" && glob[i + 1] === "*") {
      const slash = glob[i + 2] === "/"
      out += slash ? "(?:.*/)?" : ".*"
      i += slash ? 2 : 1
    } else if (c === "*") out += "[^/]*"
    else if (c === "?") out += "[^/]"
    else if (c === "{") {
      const end = glob.indexOf("}", i)
      if (end === -1) out += "\\{"
      else {
        out += `(?:${glob
          .slice(i + 1, end)
          .split(",")
          .map((alt) => globToRegExp(alt).source.slice(1, -1))
          .join("|")})`
        i = end
      }
    } else out += escapeRegExp(c)
  }
  return new RegExp(`^${out}$`)
}

/**
 * Whether a path is inside the policy's allowedPaths: it matches a glob and
 * no `!`-negated one. The quality reviewer and the PolicyEvaluator share it.
 */
export const pathAllowed = (path: string, globs: ReadonlyArray<string>): boolean => {
  const positive = globs.filter((g) => !g.startsWith("!"))
  const negative = globs.filter((g) => g.startsWith("!")).map((g) => g.slice(1))
  return (
    positive.some((g) => globToRegExp(g).test(path)) &&
    !negative.some((g) => globToRegExp(g).test(path))
  )
}
