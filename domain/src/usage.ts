// What runs cost, as the usage API answers it and the dashboard shows it:
// tokens and dollars from the model calls the gateway recorded.

/** One run's spend against its policy's budgets (GET /api/runs/:id/usage). */
export interface RunUsage {
  readonly inputTokens: number
  readonly outputTokens: number
  readonly costUsd: number
  readonly calls: number
  /** The run's budget (its policy's `budgets`); null when the policy has none. */
  readonly maxTokens: number | null
  readonly maxCostUsd: number | null
}

export interface UsageLine {
  /** The repository's full name, the initiator's login ("dashboard" for the dashboard), or the UTC day. */
  readonly key: string
  readonly runs: number
  readonly decidedRuns: number
  readonly calls: number
  readonly inputTokens: number
  readonly outputTokens: number
  readonly costUsd: number
  /** All spend in the line ÷ its decided runs (what one decision costs); null without one. */
  readonly costPerDecidedRun: number | null
}

/** GET /api/usage: per repository, per initiator and per UTC day. */
export interface UsageReport {
  readonly from: string
  readonly to: string
  readonly total: UsageLine
  readonly byRepository: ReadonlyArray<UsageLine>
  readonly byInitiator: ReadonlyArray<UsageLine>
  readonly byDay: ReadonlyArray<UsageLine>
}
