import { Schema } from "effect"
import { GitHubLogin, Id, RepoFullName, Timestamp } from "./primitives.ts"

/** Where a prompt came from (SPEC "source channel"). */
export const SourceChannel = Schema.Literals([
  "app",
  "issue",
  "pr",
  "issue_comment",
  "pr_comment",
  "pr_review_comment",
  /** A review that requested changes on a PatchPlane PR (a review iteration). */
  "pr_review",
  /** CI failed twice on a PatchPlane PR's head (a repair round). */
  "ci_failure",
  "automation",
])
export type SourceChannel = typeof SourceChannel.Type

/** Who asked: a GitHub user (from a webhook) or a dashboard user. */
export const Initiator = Schema.Union([
  Schema.Struct({ kind: Schema.Literal("github"), login: GitHubLogin, id: Schema.Int }),
  /** A dashboard or API caller: a WorkOS user, an API token's name, or the local operator. */
  Schema.Struct({ kind: Schema.Literal("dashboard"), userId: Schema.String, name: Schema.String }),
])
export type Initiator = typeof Initiator.Type

export const TargetScope = Schema.Struct({
  repository: RepoFullName,
  ref: Schema.NonEmptyString,
  paths: Schema.optionalKey(Schema.Array(Schema.NonEmptyString)),
})
export type TargetScope = typeof TargetScope.Type

/** What `/patchplane revert` undoes: a merged PatchPlane PR, by its merge commit. */
export const RevertTarget = Schema.Struct({
  pullRequestNumber: Schema.Int,
  mergeCommitSha: Schema.NonEmptyString,
  /** The run that opened the PR. */
  workflowRunId: Id,
  /**
   * The first line of each of the PR's commits, oldest first: a rebase merge's
   * `merge_commit_sha` is only the last replayed commit, so the revert finds the
   * rest by these.
   */
  commitSubjects: Schema.optionalKey(Schema.Array(Schema.String)),
})
export type RevertTarget = typeof RevertTarget.Type

export const PromptRequest = Schema.Struct({
  id: Id,
  repositoryId: Id,
  /** What the agent sees: sanitised of text a human reviewer cannot see. */
  prompt: Schema.NonEmptyString,
  /** The text exactly as written, kept for audit. */
  promptRaw: Schema.String,
  sourceChannel: SourceChannel,
  target: TargetScope,
  expectedOutcome: Schema.NullOr(Schema.String),
  policyBundleId: Schema.NullOr(Id),
  hints: Schema.Array(Schema.String),
  initiator: Initiator,
  /** The webhook delivery that created it, when it came from GitHub. */
  deliveryId: Schema.NullOr(Schema.String),
  /** The issue or PR number the command was typed in. */
  issueNumber: Schema.NullOr(Schema.Int),
  /** Set for a revert request: the run reverts this instead of running the agent. */
  revertOf: Schema.optionalKey(Schema.NullOr(RevertTarget)),
  createdAt: Timestamp,
})
export type PromptRequest = typeof PromptRequest.Type

/** Requests from a pull request's conversation act on that PR (its number is the issue number). */
export const isPullRequestChannel = (channel: string): boolean =>
  channel === "pr" ||
  channel === "pr_comment" ||
  channel === "pr_review_comment" ||
  channel === "pr_review" ||
  channel === "ci_failure"
