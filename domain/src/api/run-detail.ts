// One run with everything about it:
//   GET /api/runs/:id                        the run page's load (its newest events)
//   GET /api/runs/:id/earlier-events?before  the page of events before a seq
// Answers are built from database rows and may carry more of their columns;
// clients rely only on these.
import { Schema } from "effect"
import { CriterionResult, MergeDecisionState } from "../merge-decision.ts"
import { DependencyChange, FileChange } from "../patch-set.ts"
import { Id, IsoDate, NonNegativeInt } from "../primitives.ts"
import { Initiator } from "../prompt-request.ts"
import { Finding, ReviewerName } from "../review-run.ts"
import { RuntimeEventPayload } from "../runtime-event.ts"
import { RuntimeSessionStatus } from "../runtime-session.ts"
import { WorkflowRunState } from "../workflow-run.ts"
import { RepositoryRow } from "./repositories.ts"
import { RunRow } from "./runs-list.ts"

export const PromptRequestRow = Schema.Struct({
  id: Id,
  /** What the agent sees (sanitised). */
  prompt: Schema.String,
  /** The text exactly as written. */
  promptRaw: Schema.String,
  sourceChannel: Schema.String,
  targetRef: Schema.String,
  initiator: Initiator,
  initiatorLogin: Schema.NullOr(Schema.String),
  issueNumber: Schema.NullOr(Schema.Int),
  deliveryId: Schema.NullOr(Schema.String),
  createdAt: IsoDate,
})

export const SessionRow = Schema.Struct({
  id: Id,
  adapter: Schema.String,
  status: RuntimeSessionStatus,
  sandboxId: Schema.NullOr(Schema.String),
  /** Model usage so far. */
  inputTokens: Schema.Number,
  outputTokens: Schema.Number,
  costUsd: Schema.Number,
  startedAt: IsoDate,
  endedAt: Schema.NullOr(IsoDate),
})

export const RuntimeEventRow = Schema.Struct({
  id: Id,
  seq: Schema.Int,
  kind: Schema.String,
  payload: RuntimeEventPayload,
  createdAt: IsoDate,
})

export const PatchSetRow = Schema.Struct({
  id: Id,
  branch: Schema.String,
  baseSha: Schema.NullOr(Schema.String),
  headSha: Schema.NullOr(Schema.String),
  files: Schema.Array(FileChange),
  diffSummary: Schema.Struct({
    filesChanged: Schema.optionalKey(NonNegativeInt),
    additions: Schema.optionalKey(NonNegativeInt),
    deletions: Schema.optionalKey(NonNegativeInt),
  }),
  testsRun: Schema.Array(Schema.String),
  toolsUsed: Schema.Array(Schema.String),
  dependencyChanges: Schema.Array(DependencyChange),
  createdAt: IsoDate,
})

export const ReviewRow = Schema.Struct({
  id: Id,
  patchSetId: Id,
  reviewer: ReviewerName,
  passed: Schema.Boolean,
  score: Schema.Number,
  comments: Schema.String,
  findings: Schema.Array(Finding),
  logRef: Schema.NullOr(Schema.String),
  createdAt: IsoDate,
})

export const DecisionRow = Schema.Struct({
  id: Id,
  state: MergeDecisionState,
  weightedScore: Schema.Number,
  criteria: Schema.Array(CriterionResult),
  /** "policy", "iteration", or the operator who overrode it. */
  decidedBy: Schema.String,
  pullRequestNumber: Schema.NullOr(Schema.Int),
  createdAt: IsoDate,
})

export const TransitionRow = Schema.Struct({
  id: Id,
  fromState: Schema.NullOr(WorkflowRunState),
  toState: WorkflowRunState,
  reason: Schema.NullOr(Schema.String),
  actor: Schema.String,
  createdAt: IsoDate,
})

export const ApprovalRow = Schema.Struct({
  id: Id,
  kind: Schema.Literals(["runtime", "merge", "policy"]),
  reason: Schema.String,
  resolution: Schema.NullOr(Schema.Literals(["approved", "rejected"])),
  resolvedBy: Schema.NullOr(Schema.String),
  createdAt: IsoDate,
})

/** A GitHub write for the run that gave up after its retries. */
export const PublicationFailureRow = Schema.Struct({
  id: Id,
  /** What was being written: "status comment", "check run", "reaction", … */
  step: Schema.String,
  message: Schema.String,
  attempts: Schema.Int,
  createdAt: IsoDate,
})

export const RunDetail = Schema.Struct({
  run: RunRow,
  request: PromptRequestRow,
  repository: RepositoryRow,
  sessions: Schema.Array(SessionRow),
  /** The newest events, oldest first; earlier ones come from earlier-events. */
  events: Schema.Array(RuntimeEventRow),
  patchSets: Schema.Array(PatchSetRow),
  reviews: Schema.Array(ReviewRow),
  decision: Schema.NullOr(DecisionRow),
  transitions: Schema.Array(TransitionRow),
  approvals: Schema.Array(ApprovalRow),
  publicationFailures: Schema.Array(PublicationFailureRow),
})

export const EarlierEvents = Schema.Struct({ events: Schema.Array(RuntimeEventRow) })
