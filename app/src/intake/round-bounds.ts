// Whether a chain of rounds on a PatchPlane PR may take one more: within
// policy iterate.maxRounds, within the request's model budget, not the same
// failure again, and not after a round whose review score did not improve.
// Pure: the facts come from the database, the verdict goes back to intake.

export interface RoundFacts {
  /** Rounds so far in the chain, the first run included. */
  readonly rounds: number
  readonly maxRounds: number
  readonly tokens: number
  readonly costUsd: number
  readonly maxTokens: number
  readonly maxCostUsd: number
  /** Each round's review score (weighted), oldest first; null where none was recorded. */
  readonly scores: ReadonlyArray<number | null>
  /** The failure this round would answer, and the one the previous round answered (CI repair). */
  readonly failure?: string | null
  readonly previousFailure?: string | null
}

export type RoundVerdict =
  | { readonly go: true; readonly round: number }
  | { readonly go: false; readonly reason: string }

const pct = (score: number) => `${Math.round(score * 100)}%`

export const nextRound = (facts: RoundFacts): RoundVerdict => {
  if (facts.rounds >= facts.maxRounds)
    return {
      go: false,
      reason: `round ${facts.rounds} of iterate.maxRounds ${facts.maxRounds} was the last`,
    }
  if (facts.tokens >= facts.maxTokens)
    return {
      go: false,
      reason: `the rounds spent ${facts.tokens} tokens, the request's budget is ${facts.maxTokens}`,
    }
  if (facts.costUsd >= facts.maxCostUsd)
    return {
      go: false,
      reason: `the rounds spent $${facts.costUsd.toFixed(2)}, the request's budget is $${facts.maxCostUsd.toFixed(2)}`,
    }
  if (
    facts.failure !== undefined &&
    facts.failure !== null &&
    facts.failure === facts.previousFailure
  )
    return { go: false, reason: "the same failure repeated after a repair round" }
  const [before, last] = facts.scores.slice(-2)
  if (facts.scores.length >= 2 && before != null && last != null && last <= before)
    return {
      go: false,
      reason: `the review score did not improve over the previous round (${pct(before)} → ${pct(last)})`,
    }
  return { go: true, round: facts.rounds + 1 }
}
