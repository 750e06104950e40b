// Every call PatchPlane makes to GitHub, as one Effect service with typed
// errors. The live layer rides on Probot's installation-authenticated Octokit,
// whose retry (5xx) and throttling (403/429 rate limits) plugins are
// configured in probot.ts; the test layer records calls in memory.
import { Context, Effect, Layer, Schema } from "effect"
import { type Octokit, type Probot } from "./probot.ts"

export class GitHubError extends Schema.TaggedError<GitHubError>()("GitHubError", {
  operation: Schema.String,
  /** HTTP status GitHub answered with; null when no answer arrived. */
  status: Schema.NullOr(Schema.Number),
  message: Schema.String,
}) {}

export interface RepoRef {
  readonly installationId: number
  readonly owner: string
  readonly repo: string
}

/** GitHub's repository roles, highest first. `maintain` and `triage` come from `role_name`. */
export type RepoPermission = "admin" | "maintain" | "write" | "triage" | "read" | "none"

export type ReactionTarget =
  | { readonly kind: "issue_comment"; readonly commentId: number }
  | { readonly kind: "review_comment"; readonly commentId: number }
  | { readonly kind: "issue"; readonly issueNumber: number }

export interface PullRequestInfo {
  readonly number: number
  readonly headSha: string
  readonly headRef: string
  readonly baseRef: string
  /** owner/name of the head's repository; differs from the base for a fork. */
  readonly headRepoFullName: string | null
  readonly state: string
}

export type CheckRunStatus = "queued" | "in_progress" | "completed"
export type CheckRunConclusion =
  | "success"
  | "failure"
  | "neutral"
  | "cancelled"
  | "action_required"
  | "timed_out"

export interface CheckRunInput {
  readonly name: string
  readonly headSha: string
  readonly status: CheckRunStatus
  readonly conclusion?: CheckRunConclusion
  readonly externalId?: string
  readonly detailsUrl?: string
  readonly output?: { readonly title: string; readonly summary: string }
}

export interface GitHubShape {
  readonly repoPermission: (
    ref: RepoRef,
    username: string,
  ) => Effect.Effect<RepoPermission, GitHubError>
  readonly addReaction: (
    ref: RepoRef,
    target: ReactionTarget,
    content: "eyes" | "+1" | "confused" | "rocket",
  ) => Effect.Effect<void, GitHubError>
  readonly createComment: (
    ref: RepoRef,
    issueNumber: number,
    body: string,
  ) => Effect.Effect<{ readonly id: number; readonly url: string }, GitHubError>
  readonly updateComment: (
    ref: RepoRef,
    commentId: number,
    body: string,
  ) => Effect.Effect<void, GitHubError>
  readonly getPullRequest: (
    ref: RepoRef,
    pullNumber: number,
  ) => Effect.Effect<PullRequestInfo, GitHubError>
  readonly createCheckRun: (
    ref: RepoRef,
    input: CheckRunInput,
  ) => Effect.Effect<{ readonly id: number }, GitHubError>
  readonly updateCheckRun: (
    ref: RepoRef,
    checkRunId: number,
    input: Partial<CheckRunInput>,
  ) => Effect.Effect<void, GitHubError>
}

const statusOf = (error: unknown): number | null =>
  typeof error === "object" &&
  error !== null &&
  "status" in error &&
  typeof error.status === "number"
    ? error.status
    : null

const call = <A>(
  probot: Probot,
  operation: string,
  ref: RepoRef,
  run: (octokit: Octokit) => Promise<A>,
): Effect.Effect<A, GitHubError> =>
  Effect.tryPromise({
    try: async () => run((await probot.auth(ref.installationId)) as Octokit),
    catch: (error) =>
      new GitHubError({
        operation,
        status: statusOf(error),
        message: error instanceof Error ? error.message : String(error),
      }),
  })

const checkRunBody = (input: Partial<CheckRunInput>) => ({
  ...(input.name === undefined ? {} : { name: input.name }),
  ...(input.status === undefined ? {} : { status: input.status }),
  ...(input.conclusion === undefined ? {} : { conclusion: input.conclusion }),
  ...(input.externalId === undefined ? {} : { external_id: input.externalId }),
  ...(input.detailsUrl === undefined ? {} : { details_url: input.detailsUrl }),
  ...(input.output === undefined ? {} : { output: input.output }),
})

export const makeGitHubLive = (probot: Probot): GitHubShape => ({
  repoPermission: (ref, username) =>
    call(probot, "repoPermission", ref, async (octokit) => {
      const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({
        owner: ref.owner,
        repo: ref.repo,
        username,
      })
      const role = (data as { role_name?: string }).role_name
      if (role === "admin" || role === "maintain" || role === "write" || role === "triage")
        return role
      return data.permission as RepoPermission
    }).pipe(
      // GitHub answers 404 for users who are not collaborators at all.
      Effect.catchIf(
        (error) => error.status === 404,
        () => Effect.succeed("none" as const),
      ),
    ),
  addReaction: (ref, target, content) =>
    call(probot, "addReaction", ref, async (octokit) => {
      const base = { owner: ref.owner, repo: ref.repo, content }
      if (target.kind === "issue_comment")
        await octokit.rest.reactions.createForIssueComment({
          ...base,
          comment_id: target.commentId,
        })
      else if (target.kind === "review_comment")
        await octokit.rest.reactions.createForPullRequestReviewComment({
          ...base,
          comment_id: target.commentId,
        })
      else
        await octokit.rest.reactions.createForIssue({ ...base, issue_number: target.issueNumber })
    }),
  createComment: (ref, issueNumber, body) =>
    call(probot, "createComment", ref, async (octokit) => {
      const { data } = await octokit.rest.issues.createComment({
        owner: ref.owner,
        repo: ref.repo,
        issue_number: issueNumber,
        body,
      })
      return { id: data.id, url: data.html_url }
    }),
  updateComment: (ref, commentId, body) =>
    call(probot, "updateComment", ref, async (octokit) => {
      await octokit.rest.issues.updateComment({
        owner: ref.owner,
        repo: ref.repo,
        comment_id: commentId,
        body,
      })
    }),
  getPullRequest: (ref, pullNumber) =>
    call(probot, "getPullRequest", ref, async (octokit) => {
      const { data } = await octokit.rest.pulls.get({
        owner: ref.owner,
        repo: ref.repo,
        pull_number: pullNumber,
      })
      return {
        number: data.number,
        headSha: data.head.sha,
        headRef: data.head.ref,
        baseRef: data.base.ref,
        headRepoFullName: data.head.repo?.full_name ?? null,
        state: data.state,
      }
    }),
  createCheckRun: (ref, input) =>
    call(probot, "createCheckRun", ref, async (octokit) => {
      const { data } = await octokit.rest.checks.create({
        owner: ref.owner,
        repo: ref.repo,
        head_sha: input.headSha,
        ...checkRunBody(input),
        name: input.name,
      })
      return { id: data.id }
    }),
  updateCheckRun: (ref, checkRunId, input) =>
    call(probot, "updateCheckRun", ref, async (octokit) => {
      await octokit.rest.checks.update({
        owner: ref.owner,
        repo: ref.repo,
        check_run_id: checkRunId,
        ...checkRunBody(input),
      })
    }),
})

export class GitHub extends Context.Service<GitHub, GitHubShape>()("@patchplane/app/GitHub") {
  static readonly layer = (probot: Probot) => Layer.succeed(GitHub, makeGitHubLive(probot))
}
