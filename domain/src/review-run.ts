import { Schema } from "effect"
import { Id, Timestamp, UnitInterval } from "./primitives.ts"

/** The reviewers the companion Action fans out to. */
export const ReviewerName = Schema.Literals(["lint", "tests", "security", "quality"])
export type ReviewerName = typeof ReviewerName.Type

export const Severity = Schema.Literals(["info", "warning", "error", "critical"])
export type Severity = typeof Severity.Type

export const Finding = Schema.Struct({
  file: Schema.String,
  line: Schema.NullOr(Schema.Int),
  severity: Severity,
  message: Schema.String,
  rule: Schema.optionalKey(Schema.String),
})
export type Finding = typeof Finding.Type

export const ReviewRun = Schema.Struct({
  id: Id,
  workflowRunId: Id,
  patchSetId: Id,
  reviewer: ReviewerName,
  passed: Schema.Boolean,
  score: UnitInterval,
  comments: Schema.String,
  findings: Schema.Array(Finding),
  logRef: Schema.NullOr(Schema.String),
  artifactRefs: Schema.Array(Schema.String),
  createdAt: Timestamp,
})
export type ReviewRun = typeof ReviewRun.Type
