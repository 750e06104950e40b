// The weighted score: weights, per-reviewer minimum, required reviewers
// failing closed (failed, errored or missing), and allowedPaths globs.
import { describe, expect, it } from "vitest"
import {
  decodeSyncWith,
  globToRegExp,
  pathAllowed,
  PolicySpec,
  reviewerErrorFinding,
  type ReviewerName,
  type ScorableReview,
  scoreReviews,
} from "@patchplane/domain"

const policy = (spec: Record<string, unknown> = {}) => decodeSyncWith(PolicySpec, "policy")(spec)

const review = (reviewer: ReviewerName, score: number): ScorableReview => ({
  reviewer,
  score,
  findings: [],
})

const all = (lint: number, tests: number, security: number, quality: number) => [
  review("lint", lint),
  review("tests", tests),
  review("security", security),
  review("quality", quality),
]

describe("scoreReviews", () => {
  it("weights each reviewer by the policy and passes at the pass score", () => {
    const score = scoreReviews(policy(), all(1, 1, 1, 0.6))
    // 0.15·1 + 0.4·1 + 0.3·1 + 0.15·0.6 = 0.94
    expect(score.weightedScore).toBeCloseTo(0.94, 5)
    expect(score.passed).toBe(true)
    expect(score.criteria.map((c) => c.criterion)).toEqual([
      "reviewer:lint",
      "reviewer:tests",
      "reviewer:security",
      "reviewer:quality",
      "required-reviewers",
      "weighted-score",
    ])
  })

  it("normalizes weights that do not sum to 1", () => {
    const spec = policy({
      reviewers: { lint: { weight: 0.2 }, quality: { weight: 0.2 } },
      passScore: 0.5,
    })
    const score = scoreReviews(spec, [review("lint", 1), review("quality", 0.5)])
    expect(score.weightedScore).toBeCloseTo(0.75, 5)
    expect(score.reviewers.map((r) => r.reviewer)).toEqual(["lint", "quality"])
  })

  it("fails below the pass score even when every reviewer passes its minimum", () => {
    const score = scoreReviews(policy({ passScore: 0.95 }), all(0.6, 1, 1, 0.6))
    expect(score.passed).toBe(false)
    expect(score.criteria.find((c) => c.criterion === "weighted-score")?.passed).toBe(false)
    expect(score.criteria.find((c) => c.criterion === "required-reviewers")?.passed).toBe(true)
  })

  it("fails a required reviewer under its minimum whatever the score", () => {
    const spec = policy({ passScore: 0.1 })
    const score = scoreReviews(spec, all(1, 0.9, 1, 1))
    expect(score.weightedScore).toBeGreaterThan(0.9)
    expect(score.passed).toBe(false)
    expect(score.reviewers.find((r) => r.reviewer === "tests")?.verdict).toBe("failed")
  })

  it("fails closed when a required reviewer errored, even with a perfect score claimed", () => {
    const errored: ScorableReview = {
      reviewer: "security",
      score: 1,
      findings: [reviewerErrorFinding("security reviewer errored: timed out after 600 s")],
    }
    const score = scoreReviews(policy({ passScore: 0.1 }), [
      review("lint", 1),
      review("tests", 1),
      errored,
      review("quality", 1),
    ])
    const security = score.reviewers.find((r) => r.reviewer === "security")
    expect(security).toMatchObject({ verdict: "errored", score: 0 })
    expect(score.passed).toBe(false)
    expect(score.criteria.find((c) => c.criterion === "reviewer:security")?.detail).toContain(
      "timed out",
    )
  })

  it("fails closed when a required reviewer did not report; a missing optional one scores 0", () => {
    const withoutTests = scoreReviews(policy({ passScore: 0 }), [review("security", 1)])
    expect(withoutTests.passed).toBe(false)
    expect(withoutTests.reviewers.find((r) => r.reviewer === "tests")?.verdict).toBe("missing")
    const withoutLint = scoreReviews(policy({ passScore: 0.8 }), all(1, 1, 1, 1).slice(1))
    expect(withoutLint.weightedScore).toBeCloseTo(0.85, 5)
    expect(withoutLint.passed).toBe(true)
  })

  it("ignores reports from reviewers the policy does not list", () => {
    const spec = policy({ reviewers: { tests: { weight: 1, required: true, minScore: 1 } } })
    const score = scoreReviews(spec, [review("tests", 1), review("lint", 0)])
    expect(score.weightedScore).toBe(1)
    expect(score.passed).toBe(true)
  })

  it("cannot pass a policy that weighs nothing", () => {
    const score = scoreReviews(policy({ reviewers: {} }), [])
    expect(score).toMatchObject({ weightedScore: 0, passed: false })
  })
})

describe("allowedPaths globs", () => {
  it("matches ** across directories and * within one", () => {
    expect(globToRegExp("src/**").test("src/a/b.ts")).toBe(true)
    expect(globToRegExp("src/*.ts").test("src/a/b.ts")).toBe(false)
    expect(globToRegExp("src/**/*.ts").test("src/b.ts")).toBe(true)
    expect(globToRegExp("**/*.{md,txt}").test("docs/a.txt")).toBe(true)
    expect(globToRegExp("a.b").test("axb")).toBe(false)
  })

  it("honours negations", () => {
    const globs = ["**", "!.github/**"]
    expect(pathAllowed("src/a.ts", globs)).toBe(true)
    expect(pathAllowed(".github/workflows/ci.yml", globs)).toBe(false)
    expect(pathAllowed("src/a.ts", ["!docs/**"])).toBe(false)
  })
})
