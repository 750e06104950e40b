// Every call PatchPlane makes to GitHub, as Effects with typed errors
// (GitHubShape). It rides on Probot's installation-authenticated Octokit,
// whose retry (5xx) and throttling (403/429 rate limits) plugins are
// configured in probot.ts; tests run it against the GitHub stand-in.
import { Effect, Schema } from "effect"
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
  /** GraphQL id, needed to mark a draft ready for review. */
  readonly nodeId: string
  readonly draft: boolean
  readonly merged: boolean
  readonly mergeCommitSha: string | null
  /** null while GitHub is still computing it. */
  readonly mergeable: boolean | null
  readonly title: string
  readonly htmlUrl: string
}

/** An issue or pull request's conversation head, as the agent's context needs it. */
export interface IssueInfo {
  readonly number: number
  readonly title: string
  readonly body: string
  readonly labels: ReadonlyArray<string>
  readonly author: string
  readonly isPullRequest: boolean
  readonly htmlUrl: string
}

/** One comment of an issue's or PR's conversation. */
export interface IssueCommentInfo {
  readonly id: number
  readonly author: string
  readonly authorType: string
  readonly body: string
  readonly createdAt: string
}

/** A submitted pull request review. */
export interface ReviewInfo {
  readonly id: number
  readonly author: string
  readonly authorType: string
  /** As the REST API spells it: APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED. */
  readonly state: string
  readonly body: string
  readonly submittedAt: string
}

/** An inline review comment with the diff hunk it points at. */
export interface ReviewCommentInfo {
  readonly id: number
  readonly reviewId: number | null
  readonly author: string
  readonly path: string
  readonly line: number | null
  readonly diffHunk: string
  readonly body: string
  readonly createdAt: string
}

/** A file a pull request changes, with its patch (GitHub leaves it out for binary or huge files). */
export interface PullFileInfo {
  readonly filename: string
  readonly status: string
  readonly additions: number
  readonly deletions: number
  readonly patch: string | null
}

/** A commit on a pull request. */
export interface PullCommitInfo {
  readonly sha: string
  readonly author: string
  readonly message: string
}

/** A GitHub Actions workflow run. */
export interface WorkflowRunInfo {
  readonly id: number
  readonly name: string
  readonly path: string
  readonly headSha: string
  readonly status: string
  readonly conclusion: string | null
  readonly attempt: number
}

/** A job of a workflow run (its latest attempt). */
export interface JobInfo {
  readonly id: number
  readonly name: string
  readonly conclusion: string | null
  readonly attempt: number
}

export interface NewPullRequest {
  readonly title: string
  readonly body: string
  /** Branch name in the same repository (PatchPlane never opens PRs from forks). */
  readonly head: string
  readonly base: string
  readonly draft: boolean
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
  /** A file's text at a ref; null when the file (or the ref) does not exist. */
  readonly getFileContent: (
    ref: RepoRef,
    path: string,
    gitRef: string,
  ) => Effect.Effect<string | null, GitHubError>
  readonly getIssue: (ref: RepoRef, issueNumber: number) => Effect.Effect<IssueInfo, GitHubError>
  /** The whole conversation, oldest first (every page). */
  readonly listIssueComments: (
    ref: RepoRef,
    issueNumber: number,
  ) => Effect.Effect<ReadonlyArray<IssueCommentInfo>, GitHubError>
  readonly listReviews: (
    ref: RepoRef,
    pullNumber: number,
  ) => Effect.Effect<ReadonlyArray<ReviewInfo>, GitHubError>
  readonly listReviewComments: (
    ref: RepoRef,
    pullNumber: number,
  ) => Effect.Effect<ReadonlyArray<ReviewCommentInfo>, GitHubError>
  /** The files a PR changes with their patches (every page; GitHub lists at most 3000). */
  readonly listPullRequestFiles: (
    ref: RepoRef,
    pullNumber: number,
  ) => Effect.Effect<ReadonlyArray<PullFileInfo>, GitHubError>
  /** A PR's commits, oldest first (GitHub lists at most 250). */
  readonly listPullRequestCommits: (
    ref: RepoRef,
    pullNumber: number,
  ) => Effect.Effect<ReadonlyArray<PullCommitInfo>, GitHubError>
  /** Actions workflow runs on a commit, newest first. */
  readonly listWorkflowRuns: (
    ref: RepoRef,
    headSha: string,
  ) => Effect.Effect<ReadonlyArray<WorkflowRunInfo>, GitHubError>
  readonly listJobs: (
    ref: RepoRef,
    runId: number,
  ) => Effect.Effect<ReadonlyArray<JobInfo>, GitHubError>
  /** A job's plain-text log (GitHub redirects to a download; Octokit follows). */
  readonly jobLog: (ref: RepoRef, jobId: number) => Effect.Effect<string, GitHubError>
  /** Re-runs a completed workflow run's failed jobs (needs `actions: write`). */
  readonly rerunFailedJobs: (ref: RepoRef, runId: number) => Effect.Effect<void, GitHubError>
  readonly getPullRequest: (
    ref: RepoRef,
    pullNumber: number,
  ) => Effect.Effect<PullRequestInfo, GitHubError>
  /** The open PR whose head is `branch` in this repository, if any. */
  readonly findOpenPullRequest: (
    ref: RepoRef,
    branch: string,
  ) => Effect.Effect<PullRequestInfo | null, GitHubError>
  readonly createPullRequest: (
    ref: RepoRef,
    input: NewPullRequest,
  ) => Effect.Effect<PullRequestInfo, GitHubError>
  readonly updatePullRequest: (
    ref: RepoRef,
    pullNumber: number,
    input: { readonly title?: string; readonly body?: string },
  ) => Effect.Effect<void, GitHubError>
  /** REST cannot undraft a PR; GraphQL's markPullRequestReadyForReview can. */
  readonly markReadyForReview: (ref: RepoRef, nodeId: string) => Effect.Effect<void, GitHubError>
  /** The check run PatchPlane created for a run on a commit (by external id), if any. */
  readonly findCheckRun: (
    ref: RepoRef,
    input: { readonly headSha: string; readonly name: string; readonly externalId: string },
  ) => Effect.Effect<{ readonly id: number } | null, GitHubError>
  /** A check run's state: a completed one's status and conclusion are final on GitHub. */
  readonly getCheckRun: (
    ref: RepoRef,
    checkRunId: number,
  ) => Effect.Effect<
    {
      readonly id: number
      readonly headSha: string
      readonly status: string
      readonly conclusion: string | null
    },
    GitHubError
  >
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

interface PullData {
  readonly number: number
  readonly node_id: string
  readonly state: string
  readonly title: string
  readonly html_url: string
  readonly draft?: boolean | undefined
  readonly merged?: boolean | undefined
  readonly merge_commit_sha: string | null
  readonly mergeable?: boolean | null | undefined
  readonly head: {
    readonly sha: string
    readonly ref: string
    readonly repo: { readonly full_name: string } | null
  }
  readonly base: { readonly ref: string }
}

const pullInfo = (data: PullData): PullRequestInfo => ({
  number: data.number,
  headSha: data.head.sha,
  headRef: data.head.ref,
  baseRef: data.base.ref,
  headRepoFullName: data.head.repo?.full_name ?? null,
  state: data.state,
  nodeId: data.node_id,
  draft: data.draft ?? false,
  merged: data.merged ?? false,
  mergeCommitSha: data.merge_commit_sha,
  mergeable: data.mergeable ?? null,
  title: data.title,
  htmlUrl: data.html_url,
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
  getFileContent: (ref, path, gitRef) =>
    call(probot, "getFileContent", ref, async (octokit) => {
      const { data } = await octokit.rest.repos.getContent({
        owner: ref.owner,
        repo: ref.repo,
        path,
        ref: gitRef,
      })
      if (Array.isArray(data) || data.type !== "file" || !("content" in data))
        throw Object.assign(new Error(`${path} is not a file`), { status: 422 })
      return Buffer.from(data.content, "base64").toString("utf8")
    }).pipe(
      Effect.catchIf(
        (error) => error.status === 404,
        () => Effect.succeed(null),
      ),
    ),
  getIssue: (ref, issueNumber) =>
    call(probot, "getIssue", ref, async (octokit) => {
      const { data } = await octokit.rest.issues.get({
        owner: ref.owner,
        repo: ref.repo,
        issue_number: issueNumber,
      })
      return {
        number: data.number,
        title: data.title,
        body: data.body ?? "",
        labels: data.labels.map((label) =>
          typeof label === "string" ? label : (label.name ?? ""),
        ),
        author: data.user?.login ?? "ghost",
        isPullRequest: data.pull_request !== undefined,
        htmlUrl: data.html_url,
      }
    }),
  listIssueComments: (ref, issueNumber) =>
    call(probot, "listIssueComments", ref, async (octokit) => {
      const all = await octokit.paginate(octokit.rest.issues.listComments, {
        owner: ref.owner,
        repo: ref.repo,
        issue_number: issueNumber,
        per_page: 100,
      })
      return all.map((comment) => ({
        id: comment.id,
        author: comment.user?.login ?? "ghost",
        authorType: comment.user?.type ?? "User",
        body: comment.body ?? "",
        createdAt: comment.created_at,
      }))
    }),
  listReviews: (ref, pullNumber) =>
    call(probot, "listReviews", ref, async (octokit) => {
      const all = await octokit.paginate(octokit.rest.pulls.listReviews, {
        owner: ref.owner,
        repo: ref.repo,
        pull_number: pullNumber,
        per_page: 100,
      })
      return all
        .filter((review) => review.state !== "PENDING")
        .map((review) => ({
          id: review.id,
          author: review.user?.login ?? "ghost",
          authorType: review.user?.type ?? "User",
          state: review.state,
          body: review.body,
          submittedAt: review.submitted_at ?? "",
        }))
    }),
  listReviewComments: (ref, pullNumber) =>
    call(probot, "listReviewComments", ref, async (octokit) => {
      const all = await octokit.paginate(octokit.rest.pulls.listReviewComments, {
        owner: ref.owner,
        repo: ref.repo,
        pull_number: pullNumber,
        per_page: 100,
      })
      return all.map((comment) => ({
        id: comment.id,
        reviewId: comment.pull_request_review_id,
        author: comment.user.login,
        path: comment.path,
        line: comment.line ?? comment.original_line ?? null,
        diffHunk: comment.diff_hunk,
        body: comment.body,
        createdAt: comment.created_at,
      }))
    }),
  listPullRequestFiles: (ref, pullNumber) =>
    call(probot, "listPullRequestFiles", ref, async (octokit) => {
      const all = await octokit.paginate(octokit.rest.pulls.listFiles, {
        owner: ref.owner,
        repo: ref.repo,
        pull_number: pullNumber,
        per_page: 100,
      })
      return all.map((file) => ({
        filename: file.filename,
        status: file.status,
        additions: file.additions,
        deletions: file.deletions,
        patch: file.patch ?? null,
      }))
    }),
  listPullRequestCommits: (ref, pullNumber) =>
    call(probot, "listPullRequestCommits", ref, async (octokit) => {
      const all = await octokit.paginate(octokit.rest.pulls.listCommits, {
        owner: ref.owner,
        repo: ref.repo,
        pull_number: pullNumber,
        per_page: 100,
      })
      return all.map((commit) => ({
        sha: commit.sha,
        author: commit.author?.login ?? commit.commit.author?.name ?? "unknown",
        message: commit.commit.message,
      }))
    }),
  listWorkflowRuns: (ref, headSha) =>
    call(probot, "listWorkflowRuns", ref, async (octokit) => {
      const { data } = await octokit.rest.actions.listWorkflowRunsForRepo({
        owner: ref.owner,
        repo: ref.repo,
        head_sha: headSha,
        per_page: 50,
      })
      return data.workflow_runs.map((run) => ({
        id: run.id,
        name: run.name ?? "",
        path: run.path,
        headSha: run.head_sha,
        status: run.status ?? "",
        conclusion: run.conclusion,
        attempt: run.run_attempt ?? 1,
      }))
    }),
  listJobs: (ref, runId) =>
    call(probot, "listJobs", ref, async (octokit) => {
      const jobs = await octokit.paginate(octokit.rest.actions.listJobsForWorkflowRun, {
        owner: ref.owner,
        repo: ref.repo,
        run_id: runId,
        filter: "latest",
        per_page: 100,
      })
      return jobs.map((job) => ({
        id: job.id,
        name: job.name,
        conclusion: job.conclusion,
        attempt: job.run_attempt ?? 1,
      }))
    }),
  jobLog: (ref, jobId) =>
    call(probot, "jobLog", ref, async (octokit) => {
      const { data } = await octokit.rest.actions.downloadJobLogsForWorkflowRun({
        owner: ref.owner,
        repo: ref.repo,
        job_id: jobId,
      })
      return typeof data === "string" ? data : String(data)
    }),
  rerunFailedJobs: (ref, runId) =>
    call(probot, "rerunFailedJobs", ref, async (octokit) => {
      await octokit.rest.actions.reRunWorkflowFailedJobs({
        owner: ref.owner,
        repo: ref.repo,
        run_id: runId,
      })
    }),
  getPullRequest: (ref, pullNumber) =>
    call(probot, "getPullRequest", ref, async (octokit) => {
      const { data } = await octokit.rest.pulls.get({
        owner: ref.owner,
        repo: ref.repo,
        pull_number: pullNumber,
      })
      return pullInfo(data)
    }),
  findOpenPullRequest: (ref, branch) =>
    call(probot, "findOpenPullRequest", ref, async (octokit) => {
      const { data } = await octokit.rest.pulls.list({
        owner: ref.owner,
        repo: ref.repo,
        head: `${ref.owner}:${branch}`,
        state: "open",
      })
      const [first] = data
      return first === undefined ? null : pullInfo(first)
    }),
  createPullRequest: (ref, input) =>
    call(probot, "createPullRequest", ref, async (octokit) => {
      const { data } = await octokit.rest.pulls.create({
        owner: ref.owner,
        repo: ref.repo,
        title: input.title,
        body: input.body,
        head: input.head,
        base: input.base,
        draft: input.draft,
        maintainer_can_modify: false,
      })
      return pullInfo(data)
    }),
  updatePullRequest: (ref, pullNumber, input) =>
    call(probot, "updatePullRequest", ref, async (octokit) => {
      await octokit.rest.pulls.update({
        owner: ref.owner,
        repo: ref.repo,
        pull_number: pullNumber,
        ...(input.title === undefined ? {} : { title: input.title }),
        ...(input.body === undefined ? {} : { body: input.body }),
      })
    }),
  markReadyForReview: (ref, nodeId) =>
    call(probot, "markReadyForReview", ref, async (octokit) => {
      await octokit.graphql(
        `mutation($id: ID!) { markPullRequestReadyForReview(input: { pullRequestId: $id }) { pullRequest { isDraft } } }`,
        { id: nodeId },
      )
    }),
  findCheckRun: (ref, input) =>
    call(probot, "findCheckRun", ref, async (octokit) => {
      const { data } = await octokit.rest.checks.listForRef({
        owner: ref.owner,
        repo: ref.repo,
        ref: input.headSha,
        check_name: input.name,
        filter: "all",
      })
      const found = data.check_runs.find((run) => run.external_id === input.externalId)
      return found === undefined ? null : { id: found.id }
    }),
  getCheckRun: (ref, checkRunId) =>
    call(probot, "getCheckRun", ref, async (octokit) => {
      const { data } = await octokit.rest.checks.get({
        owner: ref.owner,
        repo: ref.repo,
        check_run_id: checkRunId,
      })
      return {
        id: data.id,
        headSha: data.head_sha,
        status: data.status,
        conclusion: data.conclusion,
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
