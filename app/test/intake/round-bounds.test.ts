// When a chain of rounds may take one more, and the reason when it may not.
import { describe, expect, it } from "vitest"
import { nextRound, type RoundFacts } from "../../src/intake/round-bounds.ts"

const facts = (overrides: Partial<RoundFacts> = {}): RoundFacts => ({
  rounds: 1,
  maxRounds: 3,
  tokens: 1_000,
  costUsd: 0.1,
  maxTokens: 100_000,
  maxCostUsd: 5,
  scores: [0.5],
  ...overrides,
})

describe("nextRound", () => {
  it("goes on within every bound, numbering the round", () => {
    expect(nextRound(facts())).toEqual({ go: true, round: 2 })
    expect(nextRound(facts({ rounds: 2, scores: [0.5, 0.7] }))).toEqual({ go: true, round: 3 })
  })
  it("stops at iterate.maxRounds", () => {
    expect(nextRound(facts({ rounds: 3 }))).toEqual({
      go: false,
      reason: "round 3 of iterate.maxRounds 3 was the last",
    })
  })
  it("stops when the rounds together spent the request's tokens or money", () => {
    expect(nextRound(facts({ tokens: 100_000 })).go).toBe(false)
    expect(nextRound(facts({ costUsd: 5 }))).toEqual({
      go: false,
      reason: "the rounds spent $5.00, the request's budget is $5.00",
    })
  })
  it("stops when the review score did not improve", () => {
    expect(nextRound(facts({ rounds: 2, scores: [0.7, 0.7] }))).toEqual({
      go: false,
      reason: "the review score did not improve over the previous round (70% → 70%)",
    })
    // A round without a score (no review yet) is no evidence either way.
    expect(nextRound(facts({ rounds: 2, scores: [0.7, null] })).go).toBe(true)
  })
  it("stops when the same failure comes back", () => {
    expect(nextRound(facts({ failure: "test: boom", previousFailure: "test: boom" }))).toEqual({
      go: false,
      reason: "the same failure repeated after a repair round",
    })
    expect(nextRound(facts({ failure: "test: boom", previousFailure: "lint: x" })).go).toBe(true)
  })
})
