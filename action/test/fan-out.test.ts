// The fan-out: reviewers run at the same time, each under its own timeout;
// a crash or a timeout is an errored ReviewRun, not a failed Action.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { REVIEWER_ERROR_RULE, type ReviewerName } from "@patchplane/domain"
import { runReviewers } from "../src/fan-out.ts"
import type { Reviewer } from "../src/reviewers/types.ts"
import { type Reviewable, reviewable } from "./helpers.ts"

let fixture: Reviewable
beforeAll(async () => {
  fixture = await reviewable()
})
afterAll(() => fixture.repo.remove())

const sleeper =
  (ms: number, score = 1): Reviewer =>
  (ctx) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => resolve({ score, comments: `slept ${ms}`, findings: [] }), ms)
      ctx.signal.addEventListener("abort", () => {
        clearTimeout(timer)
        reject(new Error("aborted"))
      })
    })

const registry = (over: Partial<Record<ReviewerName, Reviewer>>) => ({
  lint: sleeper(10),
  tests: sleeper(10),
  security: sleeper(10),
  quality: sleeper(10),
  ...over,
})

describe("runReviewers", () => {
  it("runs reviewers in parallel: wall time is the slowest one's", async () => {
    const started = performance.now()
    const outcomes = await runReviewers({
      names: ["lint", "tests", "security", "quality"],
      context: fixture.context(),
      timeoutMs: 5_000,
      registry: registry({
        lint: sleeper(300),
        tests: sleeper(300),
        security: sleeper(300),
        quality: sleeper(300),
      }),
    })
    expect(performance.now() - started).toBeLessThan(550)
    expect(outcomes.map((o) => o.reviewer)).toEqual(["lint", "tests", "security", "quality"])
  })

  it("decides passed from the policy's minScore", async () => {
    const outcomes = await runReviewers({
      names: ["tests", "quality"],
      context: fixture.context(),
      timeoutMs: 5_000,
      registry: registry({ tests: sleeper(1, 0.9), quality: sleeper(1, 0.6) }),
    })
    // Default policy: tests minScore 1, quality 0.5.
    expect(outcomes.map((o) => [o.reviewer, o.passed])).toEqual([
      ["tests", false],
      ["quality", true],
    ])
  })

  it("turns a timeout and a crash into errored reviews without stopping the others", async () => {
    const outcomes = await runReviewers({
      names: ["lint", "tests", "security"],
      context: fixture.context(),
      timeoutMs: 200,
      registry: registry({
        tests: sleeper(10_000),
        security: async () => {
          throw new Error("boom")
        },
      }),
    })
    const [lint, tests, security] = outcomes
    expect(lint).toMatchObject({ passed: true, error: null })
    expect(tests).toMatchObject({
      passed: false,
      score: 0,
      error: "tests reviewer errored: timed out after 0.2 s",
    })
    expect(tests?.findings[0]?.rule).toBe(REVIEWER_ERROR_RULE)
    expect(security).toMatchObject({ passed: false, error: "security reviewer errored: boom" })
  })

  it("runs the real reviewers on the fixture", async () => {
    const outcomes = await runReviewers({
      names: ["lint", "tests", "security", "quality"],
      context: fixture.context(),
      timeoutMs: 30_000,
    })
    expect(outcomes.map((o) => [o.reviewer, o.passed])).toEqual([
      ["lint", true],
      ["tests", false],
      ["security", true],
      ["quality", true],
    ])
  })
})
