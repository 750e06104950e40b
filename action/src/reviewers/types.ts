// The contract every reviewer implements. A reviewer scores what it sees in
// [0, 1] and lists findings; whether that passes is the policy's call
// (minScore), made by the fan-out. Throwing means the reviewer errored.
import type { Finding, PolicySpec } from "@patchplane/domain"
import type { DiffInfo } from "../git.ts"

export interface ReviewerContext {
  /** The checked-out repository. */
  readonly cwd: string
  /** The job's environment without its credentials (see reviewerEnv). */
  readonly env: Readonly<Record<string, string>>
  readonly diff: DiffInfo
  readonly policy: PolicySpec
  /** Fires at the reviewer's timeout: stop and return. */
  readonly signal: AbortSignal
  readonly oxlintCommand: string
  readonly testCommand: string
}

export interface ReviewerOutput {
  readonly score: number
  /** One line on what was checked and what came out. */
  readonly comments: string
  readonly findings: ReadonlyArray<Finding>
  /** Raw tool output, printed in the job log under the reviewer's group. */
  readonly log?: string
}

export type Reviewer = (ctx: ReviewerContext) => Promise<ReviewerOutput>

export const clampScore = (score: number) =>
  Math.round(Math.min(1, Math.max(0, score)) * 1000) / 1000

/** Single-quoted for sh, so any file name is one argument. */
export const shellQuote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`
