// The runs list:
//   GET /api/runs?repo=&state=&cursor=&limit=   runs, newest first (keyset pages)
//   GET /api/run-summaries?ids=a,b,c            prompt, initiator, repository and cost per run
import { Schema } from "effect"
import { Id, IsoDate } from "../primitives.ts"
import { WorkflowRunState } from "../workflow-run.ts"

/**
 * A WorkflowRun as the API shows it. Answers built from database rows may
 * carry more of the row's columns; clients rely only on these.
 */
export const RunRow = Schema.Struct({
  id: Id,
  promptRequestId: Id,
  repositoryId: Id,
  state: WorkflowRunState,
  reason: Schema.NullOr(Schema.String),
  pullRequestNumber: Schema.NullOr(Schema.Int),
  createdAt: IsoDate,
  updatedAt: IsoDate,
})

export const RunPage = Schema.Struct({
  runs: Schema.Array(RunRow),
  /** Pass as `cursor` for the next page; null on the last one. */
  nextCursor: Schema.NullOr(Schema.String),
})

export const RunSummary = Schema.Struct({
  runId: Id,
  /** The first 240 characters. */
  prompt: Schema.String,
  sourceChannel: Schema.String,
  initiatorLogin: Schema.NullOr(Schema.String),
  issueNumber: Schema.NullOr(Schema.Int),
  targetRef: Schema.String,
  repository: Schema.String,
  /** Input + output tokens of every model call of the run so far. */
  tokens: Schema.Number,
  costUsd: Schema.Number,
})

export const RunSummaries = Schema.Struct({ summaries: Schema.Array(RunSummary) })
