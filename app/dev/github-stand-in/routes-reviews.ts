// Pull request reviews and their inline comments, answered as GitHub's REST
// description (pulls/list-reviews, pulls/get-review,
// pulls/list-comments-for-review, pulls/list-review-comments) shapes them.
// A person submits a review with `submitReview`; the caller delivers the
// `pull_request_review.submitted` webhook built from these shapes.
import type { Context } from "./context.ts"
import { requireRepo } from "./context.ts"
import { diffText } from "./repo-git.ts"
import { intParam, json, notFound, paginate, route, type Route } from "./router.ts"
import { liveShas } from "./routes-pulls.ts"
import { authorAssociation, iso, reviewCommentShape, userShape, type Urls } from "./shapes.ts"
import {
  nodeId,
  type Issue,
  type Repository,
  type ReviewComment,
  type Store,
  type User,
} from "./state.ts"

/** Review states as the REST API spells them (webhooks use lower case). */
export type ReviewState = "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED"

interface Review {
  readonly id: number
  readonly nodeId: string
  readonly repoId: number
  readonly pullNumber: number
  readonly user: User
  readonly body: string
  readonly state: ReviewState
  readonly commitId: string
  readonly submittedAt: Date
}

/** What a review comment carries beyond the shared record: its review and diff hunk. */
interface InlineExtra {
  readonly reviewId: number
  readonly diffHunk: string
}

// Kept beside the shared store (keyed by it) so this file adds state without reshaping it.
const reviews = new WeakMap<Store, Array<Review>>()
const extras = new WeakMap<Store, Map<number, InlineExtra>>()
const reviewsOf = (store: Store) => reviews.get(store) ?? reviews.set(store, []).get(store) ?? []
const extrasOf = (store: Store) =>
  extras.get(store) ?? extras.set(store, new Map()).get(store) ?? new Map<number, InlineExtra>()

/**
 * The diff hunk a comment on `line` (new side) of `path` points at: the hunk
 * header through that line, as GitHub's `diff_hunk` shows it.
 */
export const hunkFor = (diff: string, path: string, line: number): string => {
  const file = diff.split(/^diff --git /m).find((part) => part.includes(` b/${path}\n`))
  if (file === undefined) return ""
  for (const hunk of file.split(/^(?=@@ )/m).slice(1)) {
    const start = /^@@ -\d+(?:,\d+)? \+(\d+)/.exec(hunk)
    if (start === null) continue
    let at = Number(start[1]) - 1
    const lines = hunk.split("\n")
    for (let i = 1; i < lines.length; i++) {
      if (!(lines[i] ?? "").startsWith("-")) at += 1
      if (at === line) return lines.slice(0, i + 1).join("\n")
    }
  }
  return ""
}

export const reviewShape = (urls: Urls, store: Store, repo: Repository, review: Review) => {
  const html = `${urls.web}/${repo.fullName}/pull/${review.pullNumber}#pullrequestreview-${review.id}`
  const pull = `${urls.api}/repos/${repo.fullName}/pulls/${review.pullNumber}`
  return {
    id: review.id,
    node_id: review.nodeId,
    user: userShape(urls, review.user),
    body: review.body,
    state: review.state,
    html_url: html,
    pull_request_url: pull,
    _links: { html: { href: html }, pull_request: { href: pull } },
    submitted_at: iso(review.submittedAt),
    commit_id: review.commitId,
    author_association: authorAssociation(store, repo, review.user),
  }
}

const inlineShape = (urls: Urls, store: Store, repo: Repository, comment: ReviewComment) => {
  const extra = extrasOf(store).get(comment.id)
  return {
    ...reviewCommentShape(urls, store, repo, comment),
    pull_request_review_id: extra?.reviewId ?? null,
    diff_hunk: extra?.diffHunk ?? "",
    original_line: comment.line,
    original_commit_id: comment.commitId,
    side: "RIGHT",
    start_line: null,
    original_start_line: null,
    start_side: null,
    subject_type: "line",
    _links: {
      self: { href: `${urls.api}/repos/${repo.fullName}/pulls/comments/${comment.id}` },
      html: {
        href: `${urls.web}/${repo.fullName}/pull/${comment.pullNumber}#discussion_r${comment.id}`,
      },
      pull_request: { href: `${urls.api}/repos/${repo.fullName}/pulls/${comment.pullNumber}` },
    },
  }
}

export interface SubmittedReview {
  readonly user: string
  readonly state: ReviewState
  readonly body: string
  /** Inline comments on the PR's head, by new-side line. */
  readonly comments?: ReadonlyArray<{
    readonly path: string
    readonly line: number
    readonly body: string
  }>
}

/** A person submits a review on a pull request; returns the review's id. */
export const submitReview = async (
  ctx: Context,
  repo: Repository,
  issue: Issue,
  input: SubmittedReview,
): Promise<number> => {
  const { store } = ctx
  const { headSha, baseSha } = await liveShas(repo, issue)
  const id = store.nextId("review")
  const user = store.user(input.user)
  const now = new Date()
  reviewsOf(store).push({
    id,
    nodeId: nodeId("PRR", id),
    repoId: repo.id,
    pullNumber: issue.number,
    user,
    body: input.body,
    state: input.state,
    commitId: headSha,
    submittedAt: now,
  })
  const diff = (input.comments ?? []).length === 0 ? "" : await diffText(repo.dir, baseSha, headSha)
  for (const inline of input.comments ?? []) {
    const commentId = store.nextId("review_comment")
    store.reviewComments.push({
      id: commentId,
      nodeId: nodeId("PRRC", commentId),
      repoId: repo.id,
      pullNumber: issue.number,
      body: inline.body,
      path: inline.path,
      line: inline.line,
      commitId: headSha,
      user,
      createdAt: now,
    })
    extrasOf(store).set(commentId, {
      reviewId: id,
      diffHunk: hunkFor(diff, inline.path, inline.line),
    })
  }
  return id
}

export const reviewRoutes = (ctx: Context): ReadonlyArray<Route> => {
  const { store, urls } = ctx
  const pullOf = (repo: Repository, number: number) => {
    const issue = store.issue(repo.id, number)
    if (issue === undefined || issue.pull === null) throw notFound()
    return issue
  }
  const read = ["pull_requests", "read"] as const
  const listed = (repo: Repository, number: number) =>
    reviewsOf(store).filter((r) => r.repoId === repo.id && r.pullNumber === number)
  return [
    route("GET", "/repos/:owner/:repo/pulls/:number/reviews", (req) => {
      const repo = requireRepo(ctx, req, read)
      const number = pullOf(repo, intParam(req, "number")).number
      const { page, headers } = paginate(
        req,
        listed(repo, number).map((r) => reviewShape(urls, store, repo, r)),
        `${urls.api}/repos/${repo.fullName}/pulls/${number}/reviews`,
      )
      return json(200, page, headers)
    }),
    route("GET", "/repos/:owner/:repo/pulls/:number/reviews/:id", (req) => {
      const repo = requireRepo(ctx, req, read)
      const number = pullOf(repo, intParam(req, "number")).number
      const review = listed(repo, number).find((r) => r.id === intParam(req, "id"))
      if (review === undefined) throw notFound()
      return json(200, reviewShape(urls, store, repo, review))
    }),
    route("GET", "/repos/:owner/:repo/pulls/:number/reviews/:id/comments", (req) => {
      const repo = requireRepo(ctx, req, read)
      const number = pullOf(repo, intParam(req, "number")).number
      const reviewId = intParam(req, "id")
      if (!listed(repo, number).some((r) => r.id === reviewId)) throw notFound()
      const all = store.reviewComments
        .filter((c) => extrasOf(store).get(c.id)?.reviewId === reviewId)
        .map((c) => inlineShape(urls, store, repo, c))
      const { page, headers } = paginate(
        req,
        all,
        `${urls.api}/repos/${repo.fullName}/pulls/${number}/reviews/${reviewId}/comments`,
      )
      return json(200, page, headers)
    }),
    route("GET", "/repos/:owner/:repo/pulls/:number/comments", (req) => {
      const repo = requireRepo(ctx, req, read)
      const number = pullOf(repo, intParam(req, "number")).number
      const all = store.reviewComments
        .filter((c) => c.repoId === repo.id && c.pullNumber === number)
        .map((c) => inlineShape(urls, store, repo, c))
      const { page, headers } = paginate(
        req,
        all,
        `${urls.api}/repos/${repo.fullName}/pulls/${number}/comments`,
      )
      return json(200, page, headers)
    }),
  ]
}
