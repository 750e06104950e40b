// GitHub's REST response shapes, built from the stand-in's records. Every
// property GitHub's OpenAPI description marks required is present (the
// conformance check validates each response against it); counters and
// settings the stand-in does not model carry GitHub's defaults.
import type { ChangedFile, CommitInfo, TreeEntry } from "./repo-git.ts"
import type {
  CheckRun,
  Delivery,
  Installation,
  Issue,
  IssueComment,
  Reaction,
  Repository,
  ReviewComment,
  Store,
  User,
} from "./state.ts"

export interface Urls {
  /** http://127.0.0.1:port/api/v3 */
  readonly api: string
  /** http://127.0.0.1:port */
  readonly web: string
}

/** GitHub's timestamps: ISO 8601 in UTC without milliseconds. */
export const iso = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, "Z")
const isoOrNull = (date: Date | null) => (date === null ? null : iso(date))

// GitHub percent-encodes logins in URLs (`/users/dependabot%5Bbot%5D`).
const loginPath = (login: string) => encodeURIComponent(login)

export const userShape = (urls: Urls, user: User) => ({
  login: user.login,
  id: user.id,
  node_id: user.nodeId,
  avatar_url: `${urls.web}/avatars/u/${user.id}`,
  gravatar_id: "",
  url: `${urls.api}/users/${loginPath(user.login)}`,
  html_url: `${urls.web}/${user.type === "Bot" ? `apps/${user.login.replace(/\[bot\]$/, "")}` : user.login}`,
  followers_url: `${urls.api}/users/${loginPath(user.login)}/followers`,
  following_url: `${urls.api}/users/${loginPath(user.login)}/following{/other_user}`,
  gists_url: `${urls.api}/users/${loginPath(user.login)}/gists{/gist_id}`,
  starred_url: `${urls.api}/users/${loginPath(user.login)}/starred{/owner}{/repo}`,
  subscriptions_url: `${urls.api}/users/${loginPath(user.login)}/subscriptions`,
  organizations_url: `${urls.api}/users/${loginPath(user.login)}/orgs`,
  repos_url: `${urls.api}/users/${loginPath(user.login)}/repos`,
  events_url: `${urls.api}/users/${loginPath(user.login)}/events{/privacy}`,
  received_events_url: `${urls.api}/users/${loginPath(user.login)}/received_events`,
  type: user.type,
  site_admin: false,
})

export const appShape = (urls: Urls, store: Store, permissions: Record<string, string>) => ({
  id: store.app.id,
  slug: store.app.slug,
  node_id: `A_${Buffer.from(`app:${store.app.id}`).toString("base64url")}`,
  client_id: `Iv1.${store.app.id.toString(16).padStart(16, "0")}`,
  owner: userShape(urls, store.app.owner),
  name: store.app.name,
  description: "",
  external_url: urls.web,
  html_url: `${urls.web}/apps/${store.app.slug}`,
  created_at: iso(store.app.createdAt),
  updated_at: iso(store.app.createdAt),
  permissions,
  events: ["issues", "issue_comment", "pull_request", "pull_request_review_comment", "check_run"],
  installations_count: store.installations.size,
})

export const installationShape = (urls: Urls, store: Store, installation: Installation) => ({
  id: installation.id,
  account: userShape(urls, installation.account),
  repository_selection: "selected" as const,
  access_tokens_url: `${urls.api}/app/installations/${installation.id}/access_tokens`,
  repositories_url: `${urls.api}/installation/repositories`,
  html_url: `${urls.web}/settings/installations/${installation.id}`,
  app_id: store.app.id,
  app_slug: store.app.slug,
  target_id: installation.account.id,
  target_type: "User",
  permissions: installation.permissions,
  events: ["issues", "issue_comment", "pull_request", "pull_request_review_comment", "check_run"],
  created_at: iso(installation.createdAt),
  updated_at: iso(installation.createdAt),
  single_file_name: null,
  suspended_at: null,
  suspended_by: null,
})

export const repoShape = (urls: Urls, repo: Repository) => {
  const api = `${urls.api}/repos/${repo.fullName}`
  return {
    id: repo.id,
    node_id: repo.nodeId,
    name: repo.name,
    full_name: repo.fullName,
    private: true,
    visibility: "private",
    owner: userShape(urls, repo.owner),
    html_url: `${urls.web}/${repo.fullName}`,
    description: null,
    // Webhooks always carry a repository's topics (the webhook schemas require it).
    topics: [],
    fork: false,
    url: api,
    clone_url: `${urls.web}/${repo.fullName}.git`,
    git_url: `${urls.web}/${repo.fullName}.git`,
    ssh_url: `git@127.0.0.1:${repo.fullName}.git`,
    svn_url: `${urls.web}/${repo.fullName}`,
    mirror_url: null,
    homepage: null,
    language: null,
    license: null,
    archive_url: `${api}/{archive_format}{/ref}`,
    assignees_url: `${api}/assignees{/user}`,
    blobs_url: `${api}/git/blobs{/sha}`,
    branches_url: `${api}/branches{/branch}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    comments_url: `${api}/comments{/number}`,
    commits_url: `${api}/commits{/sha}`,
    contributors_url: `${api}/contributors`,
    deployments_url: `${api}/deployments`,
    downloads_url: `${api}/downloads`,
    events_url: `${api}/events`,
    forks_url: `${api}/forks`,
    git_commits_url: `${api}/git/commits{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    hooks_url: `${api}/hooks`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    issue_events_url: `${api}/issues/events{/number}`,
    keys_url: `${api}/keys{/key_id}`,
    labels_url: `${api}/labels{/name}`,
    languages_url: `${api}/languages`,
    merges_url: `${api}/merges`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    releases_url: `${api}/releases{/id}`,
    stargazers_url: `${api}/stargazers`,
    statuses_url: `${api}/statuses/{sha}`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    tags_url: `${api}/tags`,
    teams_url: `${api}/teams`,
    trees_url: `${api}/git/trees{/sha}`,
    pulls_url: `${api}/pulls{/number}`,
    issues_url: `${api}/issues{/number}`,
    contents_url: `${api}/contents/{+path}`,
    compare_url: `${api}/compare/{base}...{head}`,
    default_branch: repo.defaultBranch,
    forks: 0,
    forks_count: 0,
    open_issues: 0,
    open_issues_count: 0,
    stargazers_count: 0,
    watchers: 0,
    watchers_count: 0,
    subscribers_count: 0,
    network_count: 0,
    size: 0,
    has_issues: true,
    has_projects: true,
    has_wiki: false,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    created_at: iso(repo.createdAt),
    updated_at: iso(repo.createdAt),
    pushed_at: iso(repo.createdAt),
  }
}

export const authorAssociation = (store: Store, repo: Repository, user: User) => {
  if (user.login.toLowerCase() === repo.owner.login.toLowerCase()) return "OWNER"
  return store.role(repo, user.login) === "none" ? "NONE" : "COLLABORATOR"
}

const reactionRollup = (store: Store, match: (reaction: Reaction) => boolean, url: string) => {
  const mine = store.reactions.filter(match)
  const count = (content: string) => mine.filter((r) => r.content === content).length
  return {
    url,
    total_count: mine.length,
    "+1": count("+1"),
    "-1": count("-1"),
    laugh: count("laugh"),
    hooray: count("hooray"),
    confused: count("confused"),
    heart: count("heart"),
    rocket: count("rocket"),
    eyes: count("eyes"),
  }
}

const issuePath = (issue: Issue) => (issue.pull === null ? "issues" : "pull")

export const issueShape = (urls: Urls, store: Store, repo: Repository, issue: Issue) => {
  const api = `${urls.api}/repos/${repo.fullName}/issues/${issue.number}`
  return {
    id: issue.id,
    node_id: issue.nodeId,
    url: api,
    repository_url: `${urls.api}/repos/${repo.fullName}`,
    comments_url: `${api}/comments`,
    events_url: `${api}/events`,
    labels_url: `${api}/labels{/name}`,
    html_url: `${urls.web}/${repo.fullName}/${issuePath(issue)}/${issue.number}`,
    number: issue.number,
    state: issue.state,
    state_reason: issue.state === "closed" ? "completed" : null,
    title: issue.title,
    body: issue.body,
    user: userShape(urls, issue.user),
    labels: [],
    assignee: null,
    assignees: [],
    milestone: null,
    locked: false,
    active_lock_reason: null,
    comments: store.comments.filter((c) => c.repoId === repo.id && c.issueNumber === issue.number)
      .length,
    ...(issue.pull === null
      ? {}
      : {
          pull_request: {
            url: `${urls.api}/repos/${repo.fullName}/pulls/${issue.number}`,
            html_url: `${urls.web}/${repo.fullName}/pull/${issue.number}`,
            diff_url: `${urls.web}/${repo.fullName}/pull/${issue.number}.diff`,
            patch_url: `${urls.web}/${repo.fullName}/pull/${issue.number}.patch`,
            merged_at: isoOrNull(issue.pull.mergedAt),
          },
          draft: issue.pull.draft,
        }),
    closed_at: isoOrNull(issue.closedAt),
    created_at: iso(issue.createdAt),
    updated_at: iso(issue.updatedAt),
    author_association: authorAssociation(store, repo, issue.user),
    reactions: reactionRollup(
      store,
      (r) =>
        r.subject.kind === "issue" &&
        r.subject.repoId === repo.id &&
        r.subject.number === issue.number,
      `${api}/reactions`,
    ),
  }
}

export const commentShape = (
  urls: Urls,
  store: Store,
  repo: Repository,
  comment: IssueComment,
  issue: Issue | undefined,
) => {
  const api = `${urls.api}/repos/${repo.fullName}/issues/comments/${comment.id}`
  const path = issue === undefined ? "issues" : issuePath(issue)
  return {
    id: comment.id,
    node_id: comment.nodeId,
    url: api,
    html_url: `${urls.web}/${repo.fullName}/${path}/${comment.issueNumber}#issuecomment-${comment.id}`,
    issue_url: `${urls.api}/repos/${repo.fullName}/issues/${comment.issueNumber}`,
    body: comment.body,
    user: userShape(urls, comment.user),
    created_at: iso(comment.createdAt),
    updated_at: iso(comment.updatedAt),
    author_association: authorAssociation(store, repo, comment.user),
    performed_via_github_app: comment.user.type === "Bot" ? appShape(urls, store, {}) : null,
    reactions: reactionRollup(
      store,
      (r) => r.subject.kind === "issue_comment" && r.subject.commentId === comment.id,
      `${api}/reactions`,
    ),
  }
}

export const reviewCommentShape = (
  urls: Urls,
  store: Store,
  repo: Repository,
  comment: ReviewComment,
) => ({
  id: comment.id,
  node_id: comment.nodeId,
  url: `${urls.api}/repos/${repo.fullName}/pulls/comments/${comment.id}`,
  html_url: `${urls.web}/${repo.fullName}/pull/${comment.pullNumber}#discussion_r${comment.id}`,
  pull_request_url: `${urls.api}/repos/${repo.fullName}/pulls/${comment.pullNumber}`,
  body: comment.body,
  path: comment.path,
  line: comment.line,
  commit_id: comment.commitId,
  user: userShape(urls, comment.user),
  created_at: iso(comment.createdAt),
  updated_at: iso(comment.createdAt),
  author_association: authorAssociation(store, repo, comment.user),
})

export const reactionShape = (urls: Urls, reaction: Reaction) => ({
  id: reaction.id,
  node_id: reaction.nodeId,
  user: userShape(urls, reaction.user),
  content: reaction.content,
  created_at: iso(reaction.createdAt),
})

export const checkRunShape = (
  urls: Urls,
  store: Store,
  repo: Repository,
  run: CheckRun,
  pulls: ReadonlyArray<Issue>,
) => ({
  id: run.id,
  node_id: run.nodeId,
  head_sha: run.headSha,
  external_id: run.externalId,
  url: `${urls.api}/repos/${repo.fullName}/check-runs/${run.id}`,
  html_url: `${urls.web}/${repo.fullName}/runs/${run.id}`,
  details_url: run.detailsUrl ?? `${urls.web}/${repo.fullName}/runs/${run.id}`,
  status: run.status,
  conclusion: run.conclusion,
  started_at: iso(run.startedAt),
  completed_at: isoOrNull(run.completedAt),
  output: {
    ...run.output,
    annotations_count: 0,
    annotations_url: `${urls.api}/repos/${repo.fullName}/check-runs/${run.id}/annotations`,
  },
  name: run.name,
  check_suite: { id: run.suiteId },
  app: appShape(urls, store, {}),
  pull_requests: pulls.map((pr) => ({
    id: pr.pull?.id ?? pr.id,
    number: pr.number,
    url: `${urls.api}/repos/${repo.fullName}/pulls/${pr.number}`,
    head: {
      ref: pr.pull?.headRef ?? "",
      sha: pr.pull?.headSha ?? "",
      repo: { id: repo.id, name: repo.name, url: `${urls.api}/repos/${repo.fullName}` },
    },
    base: {
      ref: pr.pull?.baseRef ?? "",
      sha: "",
      repo: { id: repo.id, name: repo.name, url: `${urls.api}/repos/${repo.fullName}` },
    },
  })),
})

export interface LivePull {
  readonly headSha: string
  readonly baseSha: string
  /** null while unknown (merged or closed), as GitHub reports it. */
  readonly mergeable: boolean | null
  readonly commits: number
  readonly files: ReadonlyArray<ChangedFile>
}

const branchShape = (urls: Urls, repo: Repository, ref: string, sha: string) => ({
  label: `${repo.owner.login}:${ref}`,
  ref,
  sha,
  user: userShape(urls, repo.owner),
  repo: repoShape(urls, repo),
})

/** A pull request; `live` adds what only the single-PR endpoint returns (mergeability, counts). */
export const pullShape = (
  urls: Urls,
  store: Store,
  repo: Repository,
  issue: Issue,
  shas: { readonly headSha: string; readonly baseSha: string },
  live: LivePull | null,
) => {
  const pull = issue.pull
  if (pull === null) throw new Error(`#${issue.number} is an issue, not a pull request`)
  const api = `${urls.api}/repos/${repo.fullName}/pulls/${issue.number}`
  const html = `${urls.web}/${repo.fullName}/pull/${issue.number}`
  const issueApi = `${urls.api}/repos/${repo.fullName}/issues/${issue.number}`
  const simple = {
    url: api,
    id: pull.id,
    node_id: pull.nodeId,
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issueApi,
    commits_url: `${api}/commits`,
    review_comments_url: `${api}/comments`,
    review_comment_url: `${urls.api}/repos/${repo.fullName}/pulls/comments{/number}`,
    comments_url: `${issueApi}/comments`,
    statuses_url: `${urls.api}/repos/${repo.fullName}/statuses/${shas.headSha}`,
    number: issue.number,
    state: issue.state,
    locked: false,
    title: issue.title,
    user: userShape(urls, issue.user),
    body: issue.body,
    labels: [],
    milestone: null,
    active_lock_reason: null,
    created_at: iso(issue.createdAt),
    updated_at: iso(issue.updatedAt),
    closed_at: isoOrNull(issue.closedAt),
    merged_at: isoOrNull(pull.mergedAt),
    merge_commit_sha: pull.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: branchShape(urls, repo, pull.headRef, shas.headSha),
    base: branchShape(urls, repo, pull.baseRef, shas.baseSha),
    _links: {
      self: { href: api },
      html: { href: html },
      issue: { href: issueApi },
      comments: { href: `${issueApi}/comments` },
      review_comments: { href: `${api}/comments` },
      review_comment: { href: `${urls.api}/repos/${repo.fullName}/pulls/comments{/number}` },
      commits: { href: `${api}/commits` },
      statuses: { href: `${urls.api}/repos/${repo.fullName}/statuses/${shas.headSha}` },
    },
    author_association: authorAssociation(store, repo, issue.user),
    auto_merge: null,
    draft: pull.draft,
  }
  if (live === null) return simple
  const mergeableState =
    pull.merged || (live.mergeable === null && issue.state === "open")
      ? "unknown"
      : live.mergeable === false
        ? "dirty"
        : pull.draft
          ? "draft"
          : "clean"
  return {
    ...simple,
    merged: pull.merged,
    mergeable: live.mergeable,
    rebaseable: live.mergeable,
    mergeable_state: mergeableState,
    merged_by: pull.mergedBy === null ? null : userShape(urls, pull.mergedBy),
    comments: store.comments.filter((c) => c.repoId === repo.id && c.issueNumber === issue.number)
      .length,
    review_comments: store.reviewComments.filter(
      (c) => c.repoId === repo.id && c.pullNumber === issue.number,
    ).length,
    maintainer_can_modify: false,
    commits: live.commits,
    additions: live.files.reduce((sum, f) => sum + f.additions, 0),
    deletions: live.files.reduce((sum, f) => sum + f.deletions, 0),
    changed_files: live.files.length,
  }
}

export const fileShape = (urls: Urls, repo: Repository, ref: string, file: ChangedFile) => ({
  sha: file.sha,
  filename: file.filename,
  status: file.status,
  additions: file.additions,
  deletions: file.deletions,
  changes: file.additions + file.deletions,
  blob_url: `${urls.web}/${repo.fullName}/blob/${ref}/${file.filename}`,
  raw_url: `${urls.web}/${repo.fullName}/raw/${ref}/${file.filename}`,
  contents_url: `${urls.api}/repos/${repo.fullName}/contents/${file.filename}?ref=${ref}`,
  ...(file.patch === null ? {} : { patch: file.patch }),
  ...(file.previousFilename === null ? {} : { previous_filename: file.previousFilename }),
})

export const commitShape = (
  urls: Urls,
  repo: Repository,
  info: CommitInfo,
  files: ReadonlyArray<ChangedFile> | null,
) => {
  const api = `${urls.api}/repos/${repo.fullName}`
  return {
    sha: info.sha,
    node_id: `C_${Buffer.from(`${repo.id}:${info.sha}`).toString("base64url")}`,
    commit: {
      author: info.author,
      committer: info.committer,
      message: info.message,
      tree: { sha: info.tree, url: `${api}/git/trees/${info.tree}` },
      url: `${api}/git/commits/${info.sha}`,
      comment_count: 0,
      verification: {
        verified: false,
        reason: "unsigned",
        signature: null,
        payload: null,
        verified_at: null,
      },
    },
    url: `${api}/commits/${info.sha}`,
    html_url: `${urls.web}/${repo.fullName}/commit/${info.sha}`,
    comments_url: `${api}/commits/${info.sha}/comments`,
    author: null,
    committer: null,
    parents: info.parents.map((sha) => ({
      sha,
      url: `${api}/commits/${sha}`,
      html_url: `${urls.web}/${repo.fullName}/commit/${sha}`,
    })),
    ...(files === null
      ? {}
      : {
          stats: {
            additions: files.reduce((sum, f) => sum + f.additions, 0),
            deletions: files.reduce((sum, f) => sum + f.deletions, 0),
            total: files.reduce((sum, f) => sum + f.additions + f.deletions, 0),
          },
          files: files.map((file) => fileShape(urls, repo, info.sha, file)),
        }),
  }
}

export const contentEntryShape = (urls: Urls, repo: Repository, ref: string, entry: TreeEntry) => {
  const self = `${urls.api}/repos/${repo.fullName}/contents/${entry.path}?ref=${ref}`
  const git = `${urls.api}/repos/${repo.fullName}/git/${entry.type === "dir" ? "trees" : "blobs"}/${entry.sha}`
  const html = `${urls.web}/${repo.fullName}/${entry.type === "dir" ? "tree" : "blob"}/${ref}/${entry.path}`
  return {
    type: entry.type,
    size: entry.size,
    name: entry.name,
    path: entry.path,
    sha: entry.sha,
    url: self,
    git_url: git,
    html_url: html,
    download_url:
      entry.type === "file" ? `${urls.web}/${repo.fullName}/raw/${ref}/${entry.path}` : null,
    _links: { self, git, html },
  }
}

export const deliveryShape = (delivery: Delivery) => ({
  id: delivery.id,
  guid: delivery.guid,
  delivered_at: iso(delivery.deliveredAt),
  redelivery: delivery.redelivery,
  duration: delivery.duration,
  status: delivery.statusCode >= 200 && delivery.statusCode < 300 ? "OK" : "Invalid HTTP Response",
  status_code: delivery.statusCode,
  event: delivery.event,
  action: delivery.action,
  installation_id: delivery.installationId,
  repository_id: delivery.repositoryId,
  throttled_at: null,
})
