// Pull requests over the bare repository: creation validates the branches
// like GitHub (422 "Validation Failed"), head.sha and mergeability are read
// live, and merging writes a real two-parent merge commit on the base branch.
import { actor, type Context, requireRepo, touch } from "./context.ts"
import {
  branchSha,
  changedFiles,
  commitInfo,
  commitsBetween,
  diffText,
  mergeBase,
  mergeIntoBranch,
  rebaseIntoBranch,
  squashIntoBranch,
  mergeTree,
} from "./repo-git.ts"
import {
  field,
  HttpError,
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
import { diffReply, wantsDiff } from "./routes-repos.ts"
import { openIssue } from "./routes-issues.ts"
import { refuseDraft, refuseLongBody } from "./refusals.ts"
import { commitShape, fileShape, pullShape, type LivePull } from "./shapes.ts"
import { branchVisible, nodeId, type Issue, type Repository, type User } from "./state.ts"

/** The head and base commits now: the branches while they exist, else what was last seen. */
export const liveShas = async (repo: Repository, issue: Issue) => {
  const pull = issue.pull
  if (pull === null) throw notFound()
  const head = await branchSha(repo.dir, pull.headRef)
  // A merged PR keeps the head it was merged with, even if the branch moves on.
  if (head !== null && !pull.merged) pull.headSha = head
  const base = await branchSha(repo.dir, pull.baseRef)
  return { headSha: pull.headSha, baseSha: base ?? "" }
}

const liveDetails = async (
  repo: Repository,
  issue: Issue,
  shas: { readonly headSha: string; readonly baseSha: string },
): Promise<LivePull> => {
  const pull = issue.pull
  if (pull === null) throw notFound()
  // After a merge, compare against the base as it was (the merge commit's first parent).
  const base = pull.mergeCommitSha === null ? shas.baseSha : (pull.mergeBaseSha ?? shas.baseSha)
  const from = base === "" ? null : await mergeBase(repo.dir, base, shas.headSha)
  // GitHub computes mergeability in the background: "If the value is null,
  // then GitHub has started a background job to compute the mergeability.
  // After giving the job time to complete, resubmit the request"
  // (docs.github.com/rest/pulls/pulls#get-a-pull-request). The first answer
  // after the head or base moves is null; the next one has the result.
  const key = `${shas.headSha}:${shas.baseSha}`
  const known = pull.mergeabilityFor === key
  pull.mergeabilityFor = key
  const mergeable =
    issue.state === "open" && shas.baseSha !== "" && known
      ? (await mergeTree(repo.dir, shas.baseSha, shas.headSha)).clean
      : null
  return {
    ...shas,
    mergeable,
    commits: from === null ? 0 : (await commitsBetween(repo.dir, from, shas.headSha)).length,
    files: from === null ? [] : await changedFiles(repo.dir, from, shas.headSha),
  }
}

const identityOf = (user: User) => ({
  name: user.login,
  email: `${user.id}+${user.login}@users.noreply.github.com`,
})

/** How a PR is merged: `merge_method` of "Merge a pull request" (default "merge"). */
export type MergeMethod = "merge" | "squash" | "rebase"

/**
 * Merges an open PR the way `merge_method` says; throws GitHub's 405 when it
 * cannot. `merge_commit_sha` is the merge commit, the squashed commit, or for a
 * rebase merge "the commit that the base branch was updated to" — the last
 * replayed commit only (docs.github.com/rest/pulls/pulls#get-a-pull-request).
 */
export const mergePull = async (
  ctx: Context,
  repo: Repository,
  issue: Issue,
  by: User,
  options: {
    readonly title?: string
    readonly message?: string
    readonly sha?: string
    readonly method?: MergeMethod
  } = {},
): Promise<string> => {
  const pull = issue.pull
  if (pull === null) throw notFound()
  if (issue.state !== "open" || pull.merged)
    throw new HttpError(405, { message: "Pull Request is not mergeable" })
  if (pull.draft) throw new HttpError(405, { message: "Pull Request is still a draft" })
  const shas = await liveShas(repo, issue)
  if (options.sha !== undefined && options.sha !== shas.headSha)
    throw new HttpError(409, {
      message: "Head branch was modified. Review and try the merge again.",
    })
  if (!(await mergeTree(repo.dir, shas.baseSha, shas.headSha)).clean)
    throw new HttpError(405, { message: "Pull Request is not mergeable" })
  const method = options.method ?? "merge"
  const sha =
    method === "rebase"
      ? await rebaseIntoBranch(repo.dir, { baseBranch: pull.baseRef, headSha: shas.headSha })
      : method === "squash"
        ? await squashIntoBranch(repo.dir, {
            baseBranch: pull.baseRef,
            headSha: shas.headSha,
            message: `${options.title ?? `${issue.title} (#${issue.number})`}\n\n${options.message ?? ""}\n`,
            author: identityOf(by),
          })
        : await mergeIntoBranch(repo.dir, {
            baseBranch: pull.baseRef,
            headSha: shas.headSha,
            message: `${options.title ?? `Merge pull request #${issue.number} from ${repo.owner.login}/${pull.headRef}`}\n\n${options.message ?? issue.title}\n`,
            author: identityOf(by),
          })
  pull.mergeBaseSha = shas.baseSha
  const now = new Date()
  pull.merged = true
  pull.mergedAt = now
  pull.mergedBy = by
  pull.mergeCommitSha = sha
  issue.state = "closed"
  issue.closedAt = now
  touch(issue)
  return sha
}

const alreadyExists = (repo: Repository, head: string) =>
  validationFailed([
    {
      resource: "PullRequest",
      code: "custom",
      message: `A pull request already exists for ${repo.owner.login}:${head}.`,
    },
  ])

export const pullRoutes = (ctx: Context): ReadonlyArray<Route> => {
  const { store, urls } = ctx
  const pullOf = (repo: Repository, req: ApiRequest) => {
    const issue = store.issue(repo.id, intParam(req, "number"))
    if (issue?.pull === undefined || issue.pull === null) throw notFound()
    return issue
  }
  const openDuplicate = (repo: Repository, head: string, base: string, except?: Issue) =>
    store.issues.find(
      (i) =>
        i !== except &&
        i.repoId === repo.id &&
        i.state === "open" &&
        i.pull?.headRef === head &&
        i.pull.baseRef === base,
    )
  const show = async (repo: Repository, issue: Issue, full: boolean) => {
    const shas = await liveShas(repo, issue)
    return pullShape(
      urls,
      store,
      repo,
      issue,
      shas,
      full ? await liveDetails(repo, issue, shas) : null,
    )
  }
  return [
    route("POST", "/repos/:owner/:repo/pulls", async (req) => {
      const repo = requireRepo(ctx, req, ["pull_requests", "write"])
      const title = stringField(req.body, "title")
      const headSpec = stringField(req.body, "head") ?? ""
      const base = stringField(req.body, "base") ?? ""
      const missing = [
        ...(title === undefined ? ["title"] : []),
        ...(headSpec === "" ? ["head"] : []),
        ...(base === "" ? ["base"] : []),
      ]
      if (missing.length > 0)
        throw validationFailed(
          missing.map((name) => ({ resource: "PullRequest", code: "missing_field", field: name })),
        )
      // `owner:branch` or `branch`; a fork's owner is not something the stand-in models.
      const colon = headSpec.indexOf(":")
      const headOwner = colon === -1 ? repo.owner.login : headSpec.slice(0, colon)
      const head = colon === -1 ? headSpec : headSpec.slice(colon + 1)
      // A branch a push has just created is not in GitHub's branch list yet: opening
      // a PR for it at once can be refused with `head` invalid (seen in the wild:
      // peter-evans/create-pull-request, "Validation Failed ... field head, code invalid"
      // right after a push; GitHub's branch list is updated asynchronously).
      const headSha =
        headOwner.toLowerCase() === repo.owner.login.toLowerCase() && branchVisible(repo, head)
          ? await branchSha(repo.dir, head)
          : null
      const baseSha = await branchSha(repo.dir, base)
      const invalid = [...(headSha === null ? ["head"] : []), ...(baseSha === null ? ["base"] : [])]
      if (invalid.length > 0)
        throw validationFailed(
          invalid.map((name) => ({ resource: "PullRequest", field: name, code: "invalid" })),
        )
      if (openDuplicate(repo, head, base) !== undefined) throw alreadyExists(repo, head)
      refuseLongBody("PullRequest", stringField(req.body, "body"))
      if (field(req.body, "draft") === true && repo.plan === "free") refuseDraft()
      if ((await commitsBetween(repo.dir, baseSha ?? "", headSha ?? "")).length === 0)
        throw validationFailed([
          {
            resource: "PullRequest",
            code: "custom",
            message: `No commits between ${base} and ${head}`,
          },
        ])
      const issue = openIssue(ctx, repo, {
        title: title ?? "",
        body: stringField(req.body, "body") ?? null,
        user: actor(ctx),
      })
      const id = store.nextId("pull")
      const withPull: Issue = {
        ...issue,
        pull: {
          id,
          nodeId: nodeId("PR", id),
          headRef: head,
          baseRef: base,
          headSha: headSha ?? "",
          draft: field(req.body, "draft") === true,
          merged: false,
          mergedAt: null,
          mergeCommitSha: null,
          mergedBy: null,
        },
      }
      store.issues.splice(store.issues.indexOf(issue), 1, withPull)
      return json(201, await show(repo, withPull, true))
    }),
    route("GET", "/repos/:owner/:repo/pulls", async (req) => {
      const repo = requireRepo(ctx, req, ["pull_requests", "read"])
      const state = req.query.get("state") ?? "open"
      const headSpec = req.query.get("head")
      const base = req.query.get("base")
      const head =
        headSpec === null
          ? null
          : headSpec.includes(":")
            ? {
                owner: headSpec.slice(0, headSpec.indexOf(":")),
                ref: headSpec.slice(headSpec.indexOf(":") + 1),
              }
            : { owner: headSpec, ref: null }
      const matching = store.issues.filter(
        (i) =>
          i.repoId === repo.id &&
          i.pull !== null &&
          (state === "all" || i.state === state) &&
          (base === null || i.pull.baseRef === base) &&
          (head === null ||
            (head.owner.toLowerCase() === repo.owner.login.toLowerCase() &&
              (head.ref === null || i.pull.headRef === head.ref))),
      )
      // GitHub's default order: newest first.
      const ordered = req.query.get("direction") === "asc" ? matching : matching.toReversed()
      const { page, headers } = paginate(req, ordered, `${urls.api}/repos/${repo.fullName}/pulls`)
      return json(200, await Promise.all(page.map((issue) => show(repo, issue, false))), headers)
    }),
    route("GET", "/repos/:owner/:repo/pulls/:number", async (req) => {
      const repo = requireRepo(ctx, req, ["pull_requests", "read"])
      const issue = pullOf(repo, req)
      if (wantsDiff(req)) {
        const shas = await liveShas(repo, issue)
        const from = await mergeBase(repo.dir, shas.baseSha, shas.headSha)
        return diffReply(await diffText(repo.dir, from ?? shas.baseSha, shas.headSha))
      }
      return json(200, await show(repo, issue, true))
    }),
    route("PATCH", "/repos/:owner/:repo/pulls/:number", async (req) => {
      const repo = requireRepo(ctx, req, ["pull_requests", "write"])
      const issue = pullOf(repo, req)
      const pull = issue.pull
      if (pull === null) throw notFound()
      const title = stringField(req.body, "title")
      const body = field(req.body, "body")
      refuseLongBody("PullRequest", typeof body === "string" ? body : null)
      const state = stringField(req.body, "state")
      const base = stringField(req.body, "base")
      if (state !== undefined && state !== "open" && state !== "closed")
        throw validationFailed([{ resource: "PullRequest", field: "state", code: "invalid" }])
      if (base !== undefined && (await branchSha(repo.dir, base)) === null)
        throw validationFailed([{ resource: "PullRequest", field: "base", code: "invalid" }])
      if (state === "open" && issue.state === "closed") {
        if (pull.merged)
          throw validationFailed([
            {
              resource: "PullRequest",
              code: "custom",
              message: "state cannot be changed. The pull request has been merged.",
            },
          ])
        if (openDuplicate(repo, pull.headRef, base ?? pull.baseRef, issue) !== undefined)
          throw alreadyExists(repo, pull.headRef)
      }
      if (title !== undefined) issue.title = title
      if (typeof body === "string" || body === null) issue.body = body
      if (base !== undefined) pull.baseRef = base
      if (state !== undefined && state !== issue.state) {
        issue.state = state
        issue.closedAt = state === "closed" ? new Date() : null
      }
      touch(issue)
      return json(200, await show(repo, issue, true))
    }),
    route("GET", "/repos/:owner/:repo/pulls/:number/files", async (req) => {
      const repo = requireRepo(ctx, req, ["pull_requests", "read"])
      const issue = pullOf(repo, req)
      const live = await liveDetails(repo, issue, await liveShas(repo, issue))
      const { page, headers } = paginate(
        req,
        live.files,
        `${urls.api}/repos/${repo.fullName}/pulls/${issue.number}/files`,
      )
      return json(
        200,
        page.map((file) => fileShape(urls, repo, live.headSha, file)),
        headers,
      )
    }),
    // "Lists a maximum of 250 commits for a pull request"
    // (docs.github.com/rest/pulls/pulls#list-commits-on-a-pull-request), oldest first.
    route("GET", "/repos/:owner/:repo/pulls/:number/commits", async (req) => {
      const repo = requireRepo(ctx, req, ["pull_requests", "read"])
      const issue = pullOf(repo, req)
      const shas = await liveShas(repo, issue)
      const base =
        issue.pull?.mergeCommitSha == null
          ? shas.baseSha
          : (issue.pull.mergeBaseSha ?? shas.baseSha)
      const from = base === "" ? null : await mergeBase(repo.dir, base, shas.headSha)
      const commits =
        from === null ? [] : (await commitsBetween(repo.dir, from, shas.headSha)).slice(0, 250)
      const infos = await Promise.all(commits.map((sha) => commitInfo(repo.dir, sha)))
      const { page, headers } = paginate(
        req,
        infos.filter((info) => info !== null),
        `${urls.api}/repos/${repo.fullName}/pulls/${issue.number}/commits`,
      )
      return json(
        200,
        page.map((info) => commitShape(urls, repo, info, null)),
        headers,
      )
    }),
    route("PUT", "/repos/:owner/:repo/pulls/:number/merge", async (req) => {
      const repo = requireRepo(ctx, req, ["contents", "write"])
      const issue = pullOf(repo, req)
      const title = stringField(req.body, "commit_title")
      const message = stringField(req.body, "commit_message")
      const sha = stringField(req.body, "sha")
      const method = stringField(req.body, "merge_method") ?? "merge"
      // The operation's request schema: merge_method is one of merge, squash, rebase.
      if (method !== "merge" && method !== "squash" && method !== "rebase")
        throw validationFailed([
          { resource: "PullRequest", field: "merge_method", code: "invalid" },
        ])
      const merged = await mergePull(ctx, repo, issue, actor(ctx), {
        ...(title === undefined ? {} : { title }),
        ...(message === undefined ? {} : { message }),
        ...(sha === undefined ? {} : { sha }),
        method,
      })
      return json(200, { sha: merged, merged: true, message: "Pull Request successfully merged" })
    }),
  ]
}
