// A loopback GitHub for tests and `npm run demo`. PatchPlane reaches it only
// through its configured `github.apiUrl`, exactly as a GitHub Enterprise
// Server user would: REST at <webUrl>/api/v3, GraphQL at <webUrl>/api/graphql,
// git over smart HTTP at <webUrl>/<owner>/<repo>.git. Never imported by app/src.
import { randomUUID } from "node:crypto"
import { mkdir, mkdtemp, rm } from "node:fs/promises"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { publicKeyOf } from "./app-auth.ts"
import { loadDescriptions, type Mismatch } from "./conformance.ts"
import type { Context, WebhookTarget } from "./context.ts"
import { graphqlRoutes } from "./graphql.ts"
import { commitFiles, initBare, setDefaultBranch, type CommitFilesInput } from "./repo-git.ts"
import { installPushRules } from "./refusals.ts"
import { appRoutes } from "./routes-app.ts"
import { checkRoutes } from "./routes-checks.ts"
import { addComment, issueRoutes, openIssue } from "./routes-issues.ts"
import { checkWebhook } from "./webhook-conformance.ts"
import { liveShas, type MergeMethod, mergePull, pullRoutes } from "./routes-pulls.ts"
import { repoRoutes } from "./routes-repos.ts"
import { actionRoutes, completeWorkflowRun, type CompletedWorkflowRun } from "./routes-actions.ts"
import { reviewRoutes, submitReview, type SubmittedReview } from "./routes-reviews.ts"
import { createStandInServer, type FailureRule, type RecordedRequest } from "./server.ts"
import { pullShape } from "./shapes.ts"
import {
  createStore,
  nodeId,
  type CheckRun,
  type Installation,
  type IssueComment,
  type Level,
  type Reaction,
  type Repository,
  type Role,
} from "./state.ts"
import { sendWebhook, type WebhookResult } from "./webhook.ts"

export { sendWebhook, signWebhook, type WebhookInput, type WebhookResult } from "./webhook.ts"
export type { FailureRule, RecordedRequest } from "./server.ts"
export type { Mismatch } from "./conformance.ts"
export { secondaryRateLimit } from "./refusals.ts"
export type { CheckRun, IssueComment, Reaction, Role } from "./state.ts"
export type { ReviewState, SubmittedReview } from "./routes-reviews.ts"
export type { CompletedWorkflowRun, ScriptedJob } from "./routes-actions.ts"

export interface GitHubStandInOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number
  /** The App id JWTs must carry as `iss` (default 4242). */
  readonly appId?: number
  readonly appSlug?: string
  readonly appName?: string
  /** PEM of the App's public key; when given, JWT signatures are verified. */
  readonly appPublicKey?: string
  /** What every installation grants (default contents, issues, pull_requests, checks, workflows: write). */
  readonly installationPermissions?: Readonly<Record<string, Level>>
  /** Lifetime of installation tokens (default 3600 s, as on GitHub). */
  readonly tokenTtlSeconds?: number
  /** Where deliverWebhook sends events (can be set later with setWebhook). */
  readonly webhook?: WebhookTarget
  /**
   * How long a branch created by a push is invisible to "Create a pull request":
   * GitHub updates its branch list after the push returns, and a PR opened at
   * once may be refused with `head` invalid. Default 0, so tests that count
   * requests stay exact; the tests of that refusal set it (setNewBranchDelay).
   */
  readonly newBranchDelayMs?: number
}

export interface CreatedRepository {
  readonly id: number
  readonly nodeId: string
  readonly fullName: string
  readonly installationId: number
  readonly defaultBranch: string
  /** The initial commit. */
  readonly headSha: string
  readonly cloneUrl: string
}

export interface GitHubStandIn {
  /** http://127.0.0.1:<port>/api/v3: PatchPlane's `github.apiUrl`. */
  readonly apiUrl: string
  /** http://127.0.0.1:<port> */
  readonly webUrl: string
  readonly appId: number
  /** Clone URL of a repository: <webUrl>/<owner>/<repo>.git */
  gitUrl(fullName: string): string
  createRepository(
    fullName: string,
    options?: {
      readonly defaultBranch?: string
      readonly files?: Readonly<Record<string, string>>
      readonly installationId?: number
      /** "free" models a private repository on GitHub Free: no draft pull requests. */
      readonly plan?: "free" | "team"
    },
  ): Promise<CreatedRepository>
  /** A repository role for a user; "none" (the default) makes GitHub answer 404. */
  setPermission(fullName: string, login: string, role: Role): void
  /** Commits files on a branch directly (as if someone pushed); returns the commit sha. */
  commitFiles(fullName: string, input: CommitFilesInput): Promise<string>
  /** Opens an issue as a user; returns its number and ids (as a webhook payload would carry). */
  createIssue(
    fullName: string,
    input: { readonly title: string; readonly body?: string; readonly user: string },
  ): { readonly number: number; readonly id: number; readonly nodeId: string }
  /** Closes an issue (no webhook is sent). */
  closeIssue(fullName: string, number: number): void
  /** Comments on an issue or pull request as a user (e.g. a slash command). */
  addIssueComment(
    fullName: string,
    number: number,
    input: { readonly user: string; readonly body: string },
  ): { readonly id: number; readonly nodeId: string; readonly htmlUrl: string }
  /** A pull request review comment by a user (a target for review-comment reactions). */
  addReviewComment(
    fullName: string,
    pullNumber: number,
    input: {
      readonly user: string
      readonly body: string
      readonly path: string
      readonly line: number
    },
  ): Promise<{ readonly id: number; readonly nodeId: string }>
  /** A person submits a review (with inline comments); returns its id. No webhook is sent. */
  submitReview(fullName: string, pullNumber: number, input: SubmittedReview): Promise<number>
  /**
   * A GitHub Actions workflow run completed (jobs, logs, what a re-run of the
   * failed jobs concludes); delivers `workflow_run.completed`. Returns its id.
   */
  completeWorkflowRun(fullName: string, input: CompletedWorkflowRun): Promise<number>
  /** The pull request as `GET /repos/{o}/{r}/pulls/{n}` lists it (head sha read live). */
  pullRequest(fullName: string, number: number): Promise<ReturnType<typeof pullShape>>
  issueComments(fullName: string, number: number): ReadonlyArray<IssueComment>
  checkRuns(fullName: string): ReadonlyArray<CheckRun>
  reactions(fullName: string): ReadonlyArray<Reaction>
  /** Merges a pull request onto its base branch (a merge commit unless `method` says); returns `merge_commit_sha`. */
  mergePullRequest(
    fullName: string,
    number: number,
    options?: { readonly by?: string; readonly method?: MergeMethod },
  ): Promise<string>
  /** Every request, in arrival order. */
  readonly requests: ReadonlyArray<RecordedRequest>
  requestsMatching(method: string, path: RegExp): ReadonlyArray<RecordedRequest>
  /**
   * Departures from GitHub's published description seen so far (request bodies,
   * responses, GraphQL documents). close() fails while any remain; a test that
   * sends a non-conforming request on purpose takes them with this.
   */
  takeMismatches(): ReadonlyArray<Mismatch>
  /** The next matching request(s) answer `status` instead of being served. */
  failNext(rule: FailureRule): void
  /** Expires every installation token issued so far (they answer 401 from now on). */
  expireTokens(): void
  setWebhook(target: WebhookTarget): void
  /** From now on, branches created by a push become visible to the pulls API after `ms`. */
  setNewBranchDelay(ms: number): void
  /** Sends a signed delivery to the webhook target and records it for /app/hook/deliveries. */
  deliverWebhook(input: {
    readonly event: string
    readonly payload: Readonly<Record<string, unknown>>
    readonly deliveryId?: string
  }): Promise<WebhookResult>
  close(): Promise<void>
}

const DEFAULT_PERMISSIONS: Readonly<Record<string, Level>> = {
  contents: "write",
  issues: "write",
  pull_requests: "write",
  checks: "write",
  actions: "write",
  // app.yml asks for it, to push PatchSets that change .github/workflows/.
  workflows: "write",
  metadata: "read",
}

const numberOr = (value: unknown): number | null => {
  const id =
    typeof value === "object" && value !== null ? (value as { id?: unknown }).id : undefined
  return typeof id === "number" ? id : null
}

export const startGitHubStandIn = async (
  options: GitHubStandInOptions = {},
): Promise<GitHubStandIn> => {
  loadDescriptions()
  const root = await mkdtemp(join(tmpdir(), "github-stand-in-"))
  const appId = options.appId ?? 4242
  const store = createStore({
    id: appId,
    slug: options.appSlug ?? "patchplane",
    name: options.appName ?? "PatchPlane",
  })
  const urls = { api: "", web: "" }
  let webhook: WebhookTarget | null = options.webhook ?? null

  const deliver = async (input: {
    event: string
    payload: unknown
    deliveryId?: string
    redelivery: boolean
  }): Promise<WebhookResult> => {
    if (webhook === null) throw new Error("github stand-in: no webhook target (setWebhook)")
    const target = webhook
    const departure = input.redelivery ? null : checkWebhook(input.event, input.payload)
    if (departure !== null) front.mismatches.push(departure)
    let result: WebhookResult
    try {
      result = await sendWebhook({
        url: target.url,
        secret: target.secret,
        event: input.event,
        payload: input.payload,
        appId,
        ...(input.deliveryId === undefined ? {} : { deliveryId: input.deliveryId }),
      })
    } catch {
      result = {
        status: 0,
        body: null,
        deliveryId: input.deliveryId ?? randomUUID(),
        durationMs: 0,
      }
    }
    const action = (input.payload as { action?: unknown }).action
    store.deliveries.push({
      id: store.nextId("delivery"),
      guid: result.deliveryId,
      event: input.event,
      action: typeof action === "string" ? action : null,
      installationId: numberOr((input.payload as { installation?: unknown }).installation),
      repositoryId: numberOr((input.payload as { repository?: unknown }).repository),
      deliveredAt: new Date(),
      redelivery: input.redelivery,
      statusCode: result.status,
      duration: result.durationMs / 1000,
      url: target.url,
      secret: target.secret,
      body: JSON.stringify(input.payload),
    })
    return result
  }

  const deliverNow = (event: string, payload: unknown) =>
    deliver({ event, payload, redelivery: false })
  const ctx: Context = {
    store,
    urls,
    tokenTtlSeconds: options.tokenTtlSeconds ?? 3600,
    newBranchDelayMs: options.newBranchDelayMs ?? 0,
    redeliver: async (id) => {
      const original = store.deliveries.find((d) => d.id === id)
      if (original === undefined) return false
      await deliver({
        event: original.event,
        payload: JSON.parse(original.body) as unknown,
        deliveryId: original.guid,
        redelivery: true,
      })
      return true
    },
  }
  const routes = [
    ...appRoutes(ctx),
    ...repoRoutes(ctx),
    ...issueRoutes(ctx),
    ...pullRoutes(ctx),
    ...checkRoutes(ctx),
    ...reviewRoutes(ctx),
    ...actionRoutes(ctx, { deliver: (event, payload) => deliverNow(event, payload) }),
    ...graphqlRoutes(ctx),
  ]
  const front = createStandInServer({
    ctx,
    routes,
    auth: { appId, publicKey: publicKeyOf(options.appPublicKey) },
    projectRoot: root,
  })
  await new Promise<void>((resolve, reject) => {
    front.server.once("error", reject)
    front.server.listen(options.port ?? 0, "127.0.0.1", resolve)
  })
  const { port } = front.server.address() as AddressInfo
  urls.web = `http://127.0.0.1:${port}`
  urls.api = `${urls.web}/api/v3`

  const repoOf = (fullName: string): Repository => {
    const repo = store.repository(fullName)
    if (repo === undefined) throw new Error(`github stand-in: no repository ${fullName}`)
    return repo
  }
  const issueOf = (fullName: string, number: number) => {
    const repo = repoOf(fullName)
    const issue = store.issue(repo.id, number)
    if (issue === undefined) throw new Error(`github stand-in: no issue ${fullName}#${number}`)
    return { repo, issue }
  }
  const installationFor = (owner: string, requested: number | undefined): Installation => {
    const account = store.user(owner)
    const existing =
      requested === undefined
        ? [...store.installations.values()].find((i) => i.account.id === account.id)
        : store.installations.get(requested)
    if (existing !== undefined) {
      if (existing.account.id !== account.id)
        throw new Error(
          `github stand-in: installation ${existing.id} belongs to ${existing.account.login}`,
        )
      return existing
    }
    const installation: Installation = {
      id: requested ?? store.nextId("installation"),
      account,
      permissions: { ...DEFAULT_PERMISSIONS, ...options.installationPermissions },
      createdAt: new Date(),
    }
    store.installations.set(installation.id, installation)
    return installation
  }

  return {
    apiUrl: urls.api,
    webUrl: urls.web,
    appId,
    gitUrl: (fullName) => `${urls.web}/${fullName}.git`,
    createRepository: async (fullName, repoOptions = {}) => {
      const [owner = "", name = "", extra] = fullName.split("/")
      if (!/^[\w.-]+$/.test(owner) || !/^[\w.-]+$/.test(name) || extra !== undefined)
        throw new Error(`github stand-in: not a repository full name: ${fullName}`)
      if (store.repository(fullName) !== undefined)
        throw new Error(`github stand-in: ${fullName} already exists`)
      const installation = installationFor(owner, repoOptions.installationId)
      const defaultBranch = repoOptions.defaultBranch ?? "main"
      const dir = join(root, owner, `${name}.git`)
      await mkdir(join(root, owner), { recursive: true })
      await initBare(dir, defaultBranch)
      await installPushRules(dir)
      const headSha = await commitFiles(dir, {
        branch: defaultBranch,
        files: repoOptions.files ?? { "README.md": `# ${name}\n` },
        message: "Initial commit\n",
      })
      await setDefaultBranch(dir, defaultBranch)
      const id = store.nextId("repository")
      const repo: Repository = {
        id,
        nodeId: nodeId("R", id),
        owner: installation.account,
        name,
        fullName: `${installation.account.login}/${name}`,
        defaultBranch,
        installationId: installation.id,
        dir,
        createdAt: new Date(),
        lastNumber: 0,
        roles: new Map(),
        plan: repoOptions.plan ?? "team",
        branchesVisibleAt: new Map(),
      }
      store.repositories.set(repo.fullName.toLowerCase(), repo)
      return {
        id,
        nodeId: repo.nodeId,
        fullName: repo.fullName,
        installationId: installation.id,
        defaultBranch,
        headSha,
        cloneUrl: `${urls.web}/${repo.fullName}.git`,
      }
    },
    setPermission: (fullName, login, role) => {
      store.user(login)
      repoOf(fullName).roles.set(login.toLowerCase(), role)
    },
    commitFiles: (fullName, input) => commitFiles(repoOf(fullName).dir, input),
    createIssue: (fullName, input) => {
      const repo = repoOf(fullName)
      const issue = openIssue(ctx, repo, {
        title: input.title,
        body: input.body ?? null,
        user: store.user(input.user),
      })
      return { number: issue.number, id: issue.id, nodeId: issue.nodeId }
    },
    closeIssue: (fullName, number) => {
      const { issue } = issueOf(fullName, number)
      issue.state = "closed"
      issue.closedAt = new Date()
      issue.updatedAt = new Date()
    },
    addIssueComment: (fullName, number, input) => {
      const { repo, issue } = issueOf(fullName, number)
      const comment = addComment(ctx, repo, issue, store.user(input.user), input.body)
      const kind = issue.pull === null ? "issues" : "pull"
      return {
        id: comment.id,
        nodeId: comment.nodeId,
        htmlUrl: `${urls.web}/${repo.fullName}/${kind}/${number}#issuecomment-${comment.id}`,
      }
    },
    addReviewComment: async (fullName, pullNumber, input) => {
      const { repo, issue } = issueOf(fullName, pullNumber)
      if (issue.pull === null)
        throw new Error(`github stand-in: #${pullNumber} is not a pull request`)
      const { headSha } = await liveShas(repo, issue)
      const id = store.nextId("review_comment")
      const comment = {
        id,
        nodeId: nodeId("PRRC", id),
        repoId: repo.id,
        pullNumber,
        body: input.body,
        path: input.path,
        line: input.line,
        commitId: headSha,
        user: store.user(input.user),
        createdAt: new Date(),
      }
      store.reviewComments.push(comment)
      return { id, nodeId: comment.nodeId }
    },
    completeWorkflowRun: (fullName, input) =>
      completeWorkflowRun(ctx, repoOf(fullName), input, {
        deliver: (event, payload) => deliverNow(event, payload),
      }),
    submitReview: (fullName, pullNumber, input) => {
      const { repo, issue } = issueOf(fullName, pullNumber)
      return submitReview(ctx, repo, issue, input)
    },
    pullRequest: async (fullName, number) => {
      const { repo, issue } = issueOf(fullName, number)
      return pullShape(urls, store, repo, issue, await liveShas(repo, issue), null)
    },
    issueComments: (fullName, number) => {
      const repo = repoOf(fullName)
      return store.comments.filter((c) => c.repoId === repo.id && c.issueNumber === number)
    },
    checkRuns: (fullName) => {
      const repo = repoOf(fullName)
      return store.checkRuns.filter((r) => r.repoId === repo.id)
    },
    reactions: (fullName) => {
      const repo = repoOf(fullName)
      const commentIds = new Set(
        store.comments.filter((c) => c.repoId === repo.id).map((c) => c.id),
      )
      const reviewIds = new Set(
        store.reviewComments.filter((c) => c.repoId === repo.id).map((c) => c.id),
      )
      return store.reactions.filter((r) =>
        r.subject.kind === "issue"
          ? r.subject.repoId === repo.id
          : r.subject.kind === "issue_comment"
            ? commentIds.has(r.subject.commentId)
            : reviewIds.has(r.subject.commentId),
      )
    },
    mergePullRequest: async (fullName, number, mergeOptions = {}) => {
      const { repo, issue } = issueOf(fullName, number)
      return mergePull(
        ctx,
        repo,
        issue,
        store.user(mergeOptions.by ?? repo.owner.login),
        mergeOptions.method === undefined ? {} : { method: mergeOptions.method },
      )
    },
    requests: front.requests,
    requestsMatching: (method, path) =>
      front.requests.filter((r) => r.method === method.toUpperCase() && path.test(r.path)),
    failNext: front.failNext,
    expireTokens: () => {
      for (const token of store.tokens.values()) token.expiresAt = new Date(0)
    },
    setWebhook: (target) => {
      webhook = target
    },
    setNewBranchDelay: (ms) => {
      ctx.newBranchDelayMs = ms
    },
    deliverWebhook: (input) =>
      deliver({
        event: input.event,
        payload: input.payload,
        redelivery: false,
        ...(input.deliveryId === undefined ? {} : { deliveryId: input.deliveryId }),
      }),
    takeMismatches: () => front.mismatches.splice(0),
    close: async () => {
      front.server.closeAllConnections()
      await new Promise<void>((resolve) => front.server.close(() => resolve()))
      await rm(root, { recursive: true, force: true })
      // Fails the test (file) that made the stand-in depart from GitHub's description.
      const left = front.mismatches.splice(0)
      if (left.length > 0)
        throw new Error(
          `github stand-in: ${left.length} departure(s) from GitHub's description:\n` +
            [
              ...new Set(
                left.map(
                  (m) =>
                    `${m.kind} ${m.method} ${m.path}${m.status === undefined ? "" : ` ${m.status}`}: ${m.detail}`,
                ),
              ),
            ].join("\n"),
        )
    },
  }
}
