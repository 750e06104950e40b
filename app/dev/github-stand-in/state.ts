// The stand-in's memory: accounts, installations, repositories, tokens and
// every issue, pull request, comment, reaction and check run. Git data is not
// here: it lives in the bare repositories and is read live (repo-git.ts).

export type Level = "read" | "write"
export type Permissions = Readonly<Record<string, Level>>
export type Role = "admin" | "maintain" | "write" | "triage" | "read" | "none"

export interface User {
  readonly id: number
  readonly nodeId: string
  readonly login: string
  readonly type: "User" | "Bot"
}

export interface Installation {
  readonly id: number
  readonly account: User
  readonly permissions: Permissions
  readonly createdAt: Date
}

export interface Repository {
  readonly id: number
  readonly nodeId: string
  readonly owner: User
  readonly name: string
  readonly fullName: string
  readonly defaultBranch: string
  readonly installationId: number
  /** The bare repository on disk. */
  readonly dir: string
  readonly createdAt: Date
  /** Issues and pull requests share one number sequence, as on GitHub. */
  lastNumber: number
  /** Lower-cased login → role. The owner is admin. */
  readonly roles: Map<string, Role>
  /** The owner's plan: private repositories on "free" have no draft pull requests. */
  plan: "free" | "team"
  /** Branch → when a push that created it becomes visible to the pulls API (epoch ms). */
  readonly branchesVisibleAt: Map<string, number>
}

export interface Token {
  readonly token: string
  readonly installationId: number
  /** null: every repository of the installation. */
  readonly repositoryIds: ReadonlySet<number> | null
  readonly permissions: Permissions
  expiresAt: Date
}

export interface PullFields {
  headRef: string
  baseRef: string
  /** The last head sha seen; the live branch wins while it exists. */
  headSha: string
  draft: boolean
  merged: boolean
  mergedAt: Date | null
  mergeCommitSha: string | null
  /** The base branch's tip when the PR was merged (what its diff and commits are against after). */
  mergeBaseSha?: string
  mergedBy: User | null
  /** The head and base mergeability was last computed for (see liveDetails). */
  mergeabilityFor?: string
}

export interface Issue {
  readonly id: number
  readonly nodeId: string
  readonly repoId: number
  readonly number: number
  title: string
  body: string | null
  readonly user: User
  state: "open" | "closed"
  readonly createdAt: Date
  updatedAt: Date
  closedAt: Date | null
  /** Set for pull requests (which are issues too on GitHub). */
  readonly pull: (PullFields & { readonly id: number; readonly nodeId: string }) | null
}

export interface IssueComment {
  readonly id: number
  readonly nodeId: string
  readonly repoId: number
  readonly issueNumber: number
  body: string
  readonly user: User
  readonly createdAt: Date
  updatedAt: Date
}

export interface ReviewComment {
  readonly id: number
  readonly nodeId: string
  readonly repoId: number
  readonly pullNumber: number
  readonly body: string
  readonly path: string
  readonly line: number
  readonly commitId: string
  readonly user: User
  readonly createdAt: Date
}

export type ReactionSubject =
  | { readonly kind: "issue"; readonly repoId: number; readonly number: number }
  | { readonly kind: "issue_comment"; readonly commentId: number }
  | { readonly kind: "review_comment"; readonly commentId: number }

export interface Reaction {
  readonly id: number
  readonly nodeId: string
  readonly subject: ReactionSubject
  readonly user: User
  readonly content: string
  readonly createdAt: Date
}

export interface CheckRun {
  readonly id: number
  readonly nodeId: string
  readonly repoId: number
  readonly suiteId: number
  name: string
  readonly headSha: string
  status: "queued" | "in_progress" | "completed"
  conclusion: string | null
  externalId: string | null
  detailsUrl: string | null
  output: { title: string | null; summary: string | null; text: string | null }
  startedAt: Date
  completedAt: Date | null
}

export interface Delivery {
  readonly id: number
  readonly guid: string
  readonly event: string
  readonly action: string | null
  readonly installationId: number | null
  readonly repositoryId: number | null
  readonly deliveredAt: Date
  readonly redelivery: boolean
  readonly statusCode: number
  readonly duration: number
  readonly url: string
  readonly secret: string
  readonly body: string
}

export interface AppInfo {
  readonly id: number
  readonly slug: string
  readonly name: string
  readonly owner: User
  readonly bot: User
  readonly createdAt: Date
}

export const markNewBranch = (repo: Repository, branch: string, visibleAt: number): void => {
  repo.branchesVisibleAt.set(branch, visibleAt)
}

/** False while a branch a push just created is not yet in GitHub's branch list. */
export const branchVisible = (repo: Repository, branch: string, now = Date.now()): boolean => {
  const at = repo.branchesVisibleAt.get(branch)
  if (at === undefined) return true
  if (now >= at) repo.branchesVisibleAt.delete(branch)
  return now >= at
}

export const nodeId = (prefix: string, id: number): string =>
  `${prefix}_${Buffer.from(`0:${prefix}:${id}`).toString("base64url")}`

export interface Store {
  readonly app: AppInfo
  readonly users: Map<string, User>
  readonly installations: Map<number, Installation>
  /** Lower-cased full name → repository (GitHub names are case-insensitive). */
  readonly repositories: Map<string, Repository>
  readonly tokens: Map<string, Token>
  readonly issues: Array<Issue>
  readonly comments: Array<IssueComment>
  readonly reviewComments: Array<ReviewComment>
  readonly reactions: Array<Reaction>
  readonly checkRuns: Array<CheckRun>
  readonly deliveries: Array<Delivery>
  nextId(kind: string): number
  user(login: string, type?: User["type"]): User
  repository(fullName: string): Repository | undefined
  repositoryById(id: number): Repository | undefined
  issue(repoId: number, number: number): Issue | undefined
  role(repo: Repository, login: string): Role
}

export const createStore = (app: { id: number; slug: string; name: string }): Store => {
  const counters = new Map<string, number>()
  // Ids per kind start apart, so a comment id never looks like an issue id.
  const nextId = (kind: string): number => {
    const next = (counters.get(kind) ?? 1000 * (counters.size + 1)) + 1
    counters.set(kind, next)
    return next
  }
  const users = new Map<string, User>()
  const user = (login: string, type: User["type"] = "User"): User => {
    const key = login.toLowerCase()
    const found = users.get(key)
    if (found !== undefined) return found
    const id = nextId("user")
    const created: User = { id, nodeId: nodeId(type === "Bot" ? "BOT" : "U", id), login, type }
    users.set(key, created)
    return created
  }
  const repositories = new Map<string, Repository>()
  const issues: Array<Issue> = []
  const owner = user("stand-in-developer")
  return {
    app: {
      ...app,
      owner,
      bot: user(`${app.slug}[bot]`, "Bot"),
      createdAt: new Date(),
    },
    users,
    installations: new Map(),
    repositories,
    tokens: new Map(),
    issues,
    comments: [],
    reviewComments: [],
    reactions: [],
    checkRuns: [],
    deliveries: [],
    nextId,
    user,
    repository: (fullName) => repositories.get(fullName.toLowerCase()),
    repositoryById: (id) => [...repositories.values()].find((repo) => repo.id === id),
    issue: (repoId, number) => issues.find((i) => i.repoId === repoId && i.number === number),
    role: (repo, login) =>
      login.toLowerCase() === repo.owner.login.toLowerCase()
        ? "admin"
        : (repo.roles.get(login.toLowerCase()) ?? "none"),
  }
}
