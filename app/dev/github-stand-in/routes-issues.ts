// Issues, issue comments and reactions. Pull requests are issues too: they
// share the number sequence and accept issue comments and reactions.
import { actor, type Context, requireRepo, touch } from "./context.ts"
import {
  intParam,
  json,
  notFound,
  paginate,
  route,
  stringField,
  validationFailed,
  type ApiRequest,
  type Route,
} from "./router.ts"
import { refuseLongBody } from "./refusals.ts"
import { commentShape, issueShape, reactionShape, reviewCommentShape } from "./shapes.ts"
import {
  nodeId,
  type Issue,
  type IssueComment,
  type ReactionSubject,
  type Repository,
  type User,
} from "./state.ts"

const REACTIONS = new Set(["+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"])
const read = [
  ["issues", "read"],
  ["pull_requests", "read"],
] as const
const write = [
  ["issues", "write"],
  ["pull_requests", "write"],
] as const

export interface NewIssue {
  readonly title: string
  readonly body: string | null
  readonly user: User
}

/** Opens an issue with the repository's next number. */
export const openIssue = (ctx: Context, repo: Repository, input: NewIssue): Issue => {
  const id = ctx.store.nextId("issue")
  const now = new Date()
  repo.lastNumber += 1
  const issue: Issue = {
    id,
    nodeId: nodeId("I", id),
    repoId: repo.id,
    number: repo.lastNumber,
    title: input.title,
    body: input.body,
    user: input.user,
    state: "open",
    createdAt: now,
    updatedAt: now,
    closedAt: null,
    pull: null,
  }
  ctx.store.issues.push(issue)
  return issue
}

export const addComment = (
  ctx: Context,
  repo: Repository,
  issue: Issue,
  user: User,
  body: string,
): IssueComment => {
  const id = ctx.store.nextId("comment")
  const now = new Date()
  const comment: IssueComment = {
    id,
    nodeId: nodeId("IC", id),
    repoId: repo.id,
    issueNumber: issue.number,
    body,
    user,
    createdAt: now,
    updatedAt: now,
  }
  ctx.store.comments.push(comment)
  touch(issue)
  return comment
}

const commentBody = (req: ApiRequest) => {
  const text = stringField(req.body, "body")
  if (text === undefined)
    throw validationFailed([{ resource: "IssueComment", code: "missing_field", field: "body" }])
  refuseLongBody("IssueComment", text)
  return text
}

export const issueRoutes = (ctx: Context): ReadonlyArray<Route> => {
  const { store, urls } = ctx
  const issueOf = (repo: Repository, req: ApiRequest) => {
    const issue = store.issue(repo.id, intParam(req, "number"))
    if (issue === undefined) throw notFound()
    return issue
  }
  const commentOf = (repo: Repository, req: ApiRequest) => {
    const id = intParam(req, "id")
    const comment = store.comments.find((c) => c.id === id && c.repoId === repo.id)
    if (comment === undefined) throw notFound()
    return comment
  }
  const showComment = (repo: Repository, comment: IssueComment) =>
    commentShape(urls, store, repo, comment, store.issue(repo.id, comment.issueNumber))
  const react = (req: ApiRequest, subject: ReactionSubject) => {
    const content = stringField(req.body, "content") ?? ""
    if (!REACTIONS.has(content))
      throw validationFailed([{ resource: "Reaction", code: "invalid", field: "content" }])
    const user = actor(ctx)
    const same = (s: ReactionSubject) => JSON.stringify(s) === JSON.stringify(subject)
    // Reacting twice with the same content answers the existing reaction (200), like GitHub.
    const existing = store.reactions.find(
      (r) => same(r.subject) && r.user.id === user.id && r.content === content,
    )
    if (existing !== undefined) return json(200, reactionShape(urls, existing))
    const id = store.nextId("reaction")
    const reaction = {
      id,
      nodeId: nodeId("REA", id),
      subject,
      user,
      content,
      createdAt: new Date(),
    }
    store.reactions.push(reaction)
    return json(201, reactionShape(urls, reaction))
  }
  return [
    route("POST", "/repos/:owner/:repo/issues", (req) => {
      const repo = requireRepo(ctx, req, ["issues", "write"])
      const title = stringField(req.body, "title")
      if (title === undefined || title.trim() === "")
        throw validationFailed([{ resource: "Issue", code: "missing_field", field: "title" }])
      refuseLongBody("Issue", stringField(req.body, "body"))
      const issue = openIssue(ctx, repo, {
        title,
        body: stringField(req.body, "body") ?? null,
        user: actor(ctx),
      })
      return json(201, issueShape(urls, store, repo, issue))
    }),
    route("GET", "/repos/:owner/:repo/issues/:number", (req) => {
      const repo = requireRepo(ctx, req, ...read)
      return json(200, issueShape(urls, store, repo, issueOf(repo, req)))
    }),
    route("GET", "/repos/:owner/:repo/issues/:number/comments", (req) => {
      const repo = requireRepo(ctx, req, ...read)
      const issue = issueOf(repo, req)
      const all = store.comments
        .filter((c) => c.repoId === repo.id && c.issueNumber === issue.number)
        .map((c) => showComment(repo, c))
      const { page, headers } = paginate(
        req,
        all,
        `${urls.api}/repos/${repo.fullName}/issues/${issue.number}/comments`,
      )
      return json(200, page, headers)
    }),
    route("POST", "/repos/:owner/:repo/issues/:number/comments", (req) => {
      const repo = requireRepo(ctx, req, ...write)
      const issue = issueOf(repo, req)
      return json(
        201,
        showComment(repo, addComment(ctx, repo, issue, actor(ctx), commentBody(req))),
      )
    }),
    route("GET", "/repos/:owner/:repo/issues/comments/:id", (req) => {
      const repo = requireRepo(ctx, req, ...read)
      return json(200, showComment(repo, commentOf(repo, req)))
    }),
    route("PATCH", "/repos/:owner/:repo/issues/comments/:id", (req) => {
      const repo = requireRepo(ctx, req, ...write)
      const comment = commentOf(repo, req)
      comment.body = commentBody(req)
      touch(comment)
      return json(200, showComment(repo, comment))
    }),
    route("POST", "/repos/:owner/:repo/issues/comments/:id/reactions", (req) => {
      const repo = requireRepo(ctx, req, ...write)
      return react(req, { kind: "issue_comment", commentId: commentOf(repo, req).id })
    }),
    route("POST", "/repos/:owner/:repo/issues/:number/reactions", (req) => {
      const repo = requireRepo(ctx, req, ...write)
      return react(req, { kind: "issue", repoId: repo.id, number: issueOf(repo, req).number })
    }),
    route("GET", "/repos/:owner/:repo/pulls/comments/:id", (req) => {
      const repo = requireRepo(ctx, req, ["pull_requests", "read"])
      const id = intParam(req, "id")
      const comment = store.reviewComments.find((c) => c.id === id && c.repoId === repo.id)
      if (comment === undefined) throw notFound()
      return json(200, reviewCommentShape(urls, store, repo, comment))
    }),
    route("POST", "/repos/:owner/:repo/pulls/comments/:id/reactions", (req) => {
      const repo = requireRepo(ctx, req, ["pull_requests", "write"])
      const id = intParam(req, "id")
      const comment = store.reviewComments.find((c) => c.id === id && c.repoId === repo.id)
      if (comment === undefined) throw notFound()
      return react(req, { kind: "review_comment", commentId: comment.id })
    }),
  ]
}
