// Reads a run's context from GitHub with the run's installation token: the
// issue or PR it was asked on with its conversation (for a PR also its
// reviews and inline review comments with their diff hunks, its changed
// files and diff, and its commit messages), and the
// repository's Copilot instructions when the policy lets the agent read
// repository instructions (AGENTS.md and CLAUDE.md the agent reads itself).
import { Effect } from "effect"
import type { PolicySpec } from "@patchplane/domain"
import type {
  GitHubError,
  GitHubShape,
  IssueCommentInfo,
  RepoRef,
  ReviewCommentInfo,
  ReviewInfo,
} from "../github/github-service.ts"
import { STATUS_MARKER_PREFIX } from "../publication/status-comment.ts"
import { failingJobs } from "./ci-failures.ts"
import { emptyContext, type GatheredComment, type GatheredContext } from "./context-types.ts"

export const QUOTED_INSTRUCTION_FILES = [".github/copilot-instructions.md"] as const

export interface GatherTarget {
  readonly installationId: number
  readonly repository: string
  readonly issueNumber: number | null
  /** The comment that carried the request: it is the instruction, not context. */
  readonly requestCommentId: number | null
  readonly ref: string
  readonly policy: PolicySpec
}

const fromComment = (source: string, c: IssueCommentInfo): GatheredComment => ({
  kind: "comment",
  id: c.id,
  source: `${source} comment ${c.id}`,
  title: `Comment by @${c.author} at ${c.createdAt}`,
  author: c.author,
  createdAt: c.createdAt,
  body: c.body,
})

const fromReview = (source: string, r: ReviewInfo): GatheredComment => ({
  kind: "review",
  id: r.id,
  source: `${source} review ${r.id}`,
  title: `Review by @${r.author} (${r.state.toLowerCase().replaceAll("_", " ")}) at ${r.submittedAt}`,
  author: r.author,
  createdAt: r.submittedAt,
  body: r.body,
})

const fromReviewComment = (source: string, c: ReviewCommentInfo): GatheredComment => ({
  kind: "review_comment",
  id: c.id,
  source: `${source} review comment ${c.id}`,
  title: `Review comment by @${c.author} on ${c.path}${c.line === null ? "" : `:${c.line}`} at ${c.createdAt}`,
  author: c.author,
  createdAt: c.createdAt,
  body: c.diffHunk === "" ? c.body : `\`\`\`diff\n${c.diffHunk}\n\`\`\`\n\n${c.body}`,
})

/** A PR's reviews (with a body) and inline comments; none for an issue. */
const reviewsOf = (github: GitHubShape, ref: RepoRef, number: number, source: string) =>
  Effect.all([github.listReviews(ref, number), github.listReviewComments(ref, number)], {
    concurrency: 2,
  }).pipe(
    Effect.map(([reviews, inline]) => [
      ...reviews.filter((r) => r.body.trim() !== "").map((r) => fromReview(source, r)),
      ...inline.map((c) => fromReviewComment(source, c)),
    ]),
  )

/** The failing CI jobs on a PR's current head, as quoted parts. */
const failingOnHead = (github: GitHubShape, ref: RepoRef, number: number) =>
  github.getPullRequest(ref, number).pipe(
    Effect.flatMap((pr) => failingJobs(github, ref, pr.headSha)),
    // An installation without `actions: read` (granted before it was asked) still runs.
    Effect.catchIf(
      (error) => error.status === 403 || error.status === 404,
      () => Effect.succeed([]),
    ),
    Effect.map((jobs) =>
      jobs.map((job) => ({
        path: `Failing CI job "${job.job}" of workflow "${job.workflow}" (attempt ${job.attempt}), log tail`,
        source: `actions run ${job.runId} job ${job.job}`,
        text: job.tail,
      })),
    ),
  )

/** A PR's changed files and patches as one diff, and its commit messages. */
const changesOf = (github: GitHubShape, ref: RepoRef, number: number, source: string) =>
  Effect.all(
    [github.listPullRequestFiles(ref, number), github.listPullRequestCommits(ref, number)],
    { concurrency: 2 },
  ).pipe(
    Effect.map(([files, commits]) => ({
      diff:
        files.length === 0
          ? null
          : {
              path: `Changes of ${source}: ${files.length} file(s)`,
              source: `${source} files`,
              text: [
                ...files.map((f) => `${f.status} ${f.filename} (+${f.additions} -${f.deletions})`),
                ...files.map((f) =>
                  f.patch === null
                    ? `\n--- ${f.filename}: no patch (binary or too large)`
                    : `\n--- a/${f.filename}\n+++ b/${f.filename}\n${f.patch}`,
                ),
              ].join("\n"),
            },
      commits:
        commits.length === 0
          ? null
          : {
              path: `Commits of ${source}, oldest first`,
              source: `${source} commits`,
              text: commits
                .map((c) => `commit ${c.sha.slice(0, 12)} by ${c.author}\n${c.message}`)
                .join("\n\n"),
            },
    })),
  )

export const gatherContext = (
  github: GitHubShape,
  target: GatherTarget,
): Effect.Effect<GatheredContext, GitHubError> =>
  Effect.gen(function* () {
    const [owner = "", repo = ""] = target.repository.split("/")
    const ref = { installationId: target.installationId, owner, repo }
    const instructions = target.policy.agent.readAgentsMd
      ? yield* Effect.forEach(QUOTED_INSTRUCTION_FILES, (path) =>
          github
            .getFileContent(ref, path, target.ref)
            .pipe(
              Effect.map((text) =>
                text === null ? [] : [{ path, source: `${path}@${target.ref}`, text }],
              ),
            ),
        ).pipe(Effect.map((found) => found.flat()))
      : []
    const number = target.issueNumber
    if (!target.policy.context.include || number === null) return { ...emptyContext, instructions }
    const [issue, comments] = yield* Effect.all(
      [github.getIssue(ref, number), github.listIssueComments(ref, number)],
      { concurrency: 2 },
    )
    const source = `${target.repository}#${number}`
    const reviews = issue.isPullRequest ? yield* reviewsOf(github, ref, number, source) : []
    const failing = issue.isPullRequest ? yield* failingOnHead(github, ref, number) : []
    const changes = issue.isPullRequest
      ? yield* changesOf(github, ref, number, source)
      : { diff: null, commits: null }
    const conversation = [
      ...comments
        .filter((c) => c.id !== target.requestCommentId && !c.body.includes(STATUS_MARKER_PREFIX))
        .map((c) => fromComment(source, c)),
      ...reviews,
    ].toSorted((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id)
    return {
      conversation: {
        kind: issue.isPullRequest ? ("pull_request" as const) : ("issue" as const),
        source,
        title: issue.title,
        body: issue.body,
        labels: issue.labels,
        author: issue.author,
      },
      comments: conversation,
      instructions,
      failingJobs: failing,
      ...changes,
    }
  })
