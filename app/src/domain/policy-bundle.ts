// Review, approval, budget and sandbox criteria attached to every run as an
// auditable record. The same schema decodes a repo's `.github/patchplane.yml`
// (every key optional, defaults below) and the `policy` defaults in
// patchplane.config.json.
import { Schema } from "effect"
import { Id, PositiveInt, Timestamp, UnitInterval, withDefault } from "./primitives.ts"
import { ReviewerName } from "./review-run.ts"

export const ReviewerPolicy = Schema.Struct({
  weight: UnitInterval,
  /** A required reviewer that fails makes the run fail regardless of the score. */
  required: Schema.Boolean.pipe(withDefault(false)),
  /** Minimum score for this reviewer to count as passed. */
  minScore: UnitInterval.pipe(withDefault(0.5)),
})
export type ReviewerPolicy = typeof ReviewerPolicy.Type

/** What happens when the agent or the policy needs a human. */
export const ApprovalMode = Schema.Literals([
  "auto-approve",
  "escalate",
  "fail-closed",
  "defer",
  "terminate",
])
export type ApprovalMode = typeof ApprovalMode.Type

export const NetworkPolicy = Schema.Literals(["none", "egress"])
export type NetworkPolicy = typeof NetworkPolicy.Type

export const defaultReviewers = {
  lint: { weight: 0.15, required: false, minScore: 0.5 },
  tests: { weight: 0.4, required: true, minScore: 1 },
  security: { weight: 0.3, required: true, minScore: 0.8 },
  quality: { weight: 0.15, required: false, minScore: 0.5 },
} satisfies Record<ReviewerName, ReviewerPolicy>

export const PolicySpec = Schema.Struct({
  version: Schema.Literal(1).pipe(withDefault(1)),
  /** The reviewers to run and how each counts; a reviewer left out is not run. */
  reviewers: Schema.Struct({
    lint: Schema.optionalKey(ReviewerPolicy),
    tests: Schema.optionalKey(ReviewerPolicy),
    security: Schema.optionalKey(ReviewerPolicy),
    quality: Schema.optionalKey(ReviewerPolicy),
  } satisfies Record<ReviewerName, unknown>).pipe(withDefault(defaultReviewers)),
  /** Weighted score at or above which a PatchSet is accepted. */
  passScore: UnitInterval.pipe(withDefault(0.8)),
  approvalMode: ApprovalMode.pipe(withDefault("escalate")),
  budgets: Schema.Struct({
    maxTurns: PositiveInt.pipe(withDefault(30)),
    turnTimeoutSeconds: PositiveInt.pipe(withDefault(600)),
    runTimeoutSeconds: PositiveInt.pipe(withDefault(3600)),
    /** Model tokens (input + output) one run may spend through the gateway. */
    maxTokens: PositiveInt.pipe(withDefault(2_000_000)),
    /** Model cost one run may spend, in US dollars. */
    maxCostUsd: Schema.Number.check(Schema.isGreaterThanOrEqualTo(0)).pipe(withDefault(10)),
  }).pipe(withDefault({})),
  sandbox: Schema.Struct({
    network: NetworkPolicy.pipe(withDefault("none")),
  }).pipe(withDefault({})),
  /** Globs the agent may change; a PatchSet touching anything else goes to manual review. */
  allowedPaths: Schema.Array(Schema.NonEmptyString).pipe(withDefault(["**"])),
  /** Dependency changes are high risk: by default they force manual review. */
  dependencyChanges: Schema.Literals(["manual-review", "allow"]).pipe(withDefault("manual-review")),
  /** Changes to `.github/workflows/` are high risk too: by default they force manual review. */
  workflowChanges: Schema.Literals(["manual-review", "allow"]).pipe(withDefault("manual-review")),
  agent: Schema.Struct({
    /** Let the agent read the target repo's AGENTS.md (text the repo controls). */
    readAgentsMd: Schema.Boolean.pipe(withDefault(false)),
  }).pipe(withDefault({})),
})
export type PolicySpec = typeof PolicySpec.Type

export const PolicyBundle = Schema.Struct({
  id: Id,
  name: Schema.NonEmptyString,
  /** sha256 of the canonical spec, so identical policies share one record. */
  digest: Schema.String,
  spec: PolicySpec,
  /** Where it came from, e.g. "owner/repo@sha:.github/patchplane.yml" or "config". */
  source: Schema.String,
  createdAt: Timestamp,
})
export type PolicyBundle = typeof PolicyBundle.Type
