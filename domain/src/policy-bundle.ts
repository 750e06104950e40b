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

export const ContextPolicy = Schema.Struct({
  /** Quote the or PR's text and conversation to the agent. */
  include: Schema.Boolean.pipe(withDefault(true)),
  /** The or PR's title and body. */
  maxBodyChars: PositiveInt.pipe(withDefault(12_000)),
  /** One comment; a longer one keeps its start. */
  maxCommentChars: PositiveInt.pipe(withDefault(4_000)),
  /** The conversation; over budget, the newest comments are kept. */
  maxCommentsChars: PositiveInt.pipe(withDefault(40_000)),
  /** A repository instructions file quoted in the context (.github/copilot-instructions.md). */
  maxInstructionsChars: PositiveInt.pipe(withDefault(8_000)),
  /** A PR's changed files and diff (its patches, file by file; over it, the start is kept). */
  maxDiffChars: PositiveInt.pipe(withDefault(20_000)),
  /** A PR's commit messages, oldest first. */
  maxCommitsChars: PositiveInt.pipe(withDefault(6_000)),
  /** The tail of each failing CI job's log on a PR's head. */
  maxLogChars: PositiveInt.pipe(withDefault(6_000)),
  /** Everything quoted together. */
  maxTotalChars: PositiveInt.pipe(withDefault(80_000)),
})
export type ContextPolicy = typeof ContextPolicy.Type

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
  /**
   * Bounds on what a PatchSet may carry, checked before anything is pushed: a
   * file or a total over the limit is refused (the run fails, nothing is
   * pushed) or sent to manual review; binary files likewise.
   */
  patchSetLimits: Schema.Struct({
    maxFileBytes: PositiveInt.pipe(withDefault(10 * 1024 * 1024)),
    maxTotalBytes: PositiveInt.pipe(withDefault(50 * 1024 * 1024)),
    oversized: Schema.Literals(["refuse", "manual-review"]).pipe(withDefault("refuse")),
    binaryFiles: Schema.Literals(["manual-review", "refuse", "allow"]).pipe(
      withDefault("manual-review"),
    ),
  }).pipe(withDefault({})),
  /** Dependency changes are high risk: by default they force manual review. */
  dependencyChanges: Schema.Literals(["manual-review", "allow"]).pipe(withDefault("manual-review")),
  /** Changes to `.github/workflows/` are high risk too: by default they force manual review. */
  workflowChanges: Schema.Literals(["manual-review", "allow"]).pipe(withDefault("manual-review")),
  agent: Schema.Struct({
    /**
     * Let the agent read the target repo's agent instructions (text the repo
     * controls): AGENTS.md and CLAUDE.md (read by the agent itself), and
     * .github/copilot-instructions.md (quoted in its context).
     */
    readAgentsMd: Schema.Boolean.pipe(withDefault(false)),
    /**
     * Which agent runtime runs the prompt, by its adapter id ("pi", or
     * another the deployment runs); bounded by the config's allow-list.
     */
    runtime: Schema.NonEmptyString.pipe(withDefault("pi")),
    /** The model the agent asks the gateway for; the runtime's configured one when absent. */
    model: Schema.optionalKey(Schema.NonEmptyString),
  }).pipe(withDefault({})),
  /**
   * What the agent is shown besides the prompt, in characters after
   * sanitising. The defaults keep the whole context near 20k tokens, far
   * under any current model's window.
   */
  context: ContextPolicy.pipe(withDefault({})),
  /** Follow-up rounds on a PatchPlane PR: answering reviews, and when to stop. */
  iterate: Schema.Struct({
    /** A writer's changes-requested review starts a round by itself (else only `/patchplane`). */
    onReview: Schema.Boolean.pipe(withDefault(true)),
    /** Rounds per chain, the first run included; past it a human decides. */
    maxRounds: PositiveInt.pipe(withDefault(3)),
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
