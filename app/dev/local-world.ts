// Everything PatchPlane talks to, on loopback: the GitHub stand-in (REST and
// git), a scripted model, and a GitHub Actions OIDC issuer — plus a repository
// with an App installation, and the config that points PatchPlane at them.
// `npm run demo` and the end-to-end tests stand on it; PatchPlane itself sees
// only its configuration (github.apiUrl, runtime.pi.upstream, review.oidcIssuer),
// exactly as a GitHub Enterprise Server deployment would.
import { generateKeyPairSync } from "node:crypto"
import { mkdir, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { SignJWT, importPKCS8 } from "jose"
import {
  type CreatedRepository,
  type GitHubStandIn,
  type SubmittedReview,
  startGitHubStandIn,
} from "./github-stand-in/index.ts"
import {
  type DaytonaStandIn,
  localDaytonaRemote,
  localDaytonaSandbox,
  startLocalDaytona,
} from "./daytona-stand-in/local-daytona.ts"
import { type LocalIssuer, startLocalIssuer } from "./oidc-issuer/local-issuer.ts"
import { runReviewAction, type ReviewActionResult } from "./review-action.ts"
import { answerAnyPrompt } from "./scripted-model/any-prompt-model.ts"
import { contributingScript } from "./scripted-model/model-scripts.ts"
import {
  type ScriptedModelServer,
  type ScriptStep,
  startScriptedModelServer,
} from "./scripted-model/scripted-model-server.ts"

export const WEBHOOK_SECRET = "local-world-webhook-secret"
export const REPOSITORY = "acme/widgets"
export const MAINTAINER = "octocat"

/** A small Node project whose own tests pass, so a docs change sails through review. */
export const repositoryFiles: Readonly<Record<string, string>> = {
  "README.md": "# widgets\n\nA tiny library for the PatchPlane demo.\n",
  "package.json": `${JSON.stringify({ name: "widgets", version: "1.0.0", type: "module", scripts: { test: "node --test" } }, null, 2)}\n`,
  "src/widgets.js": "export const widget = (name) => ({ name, parts: [] })\n",
  "test/widgets.test.js": [
    'import assert from "node:assert/strict"',
    'import test from "node:test"',
    'import { widget } from "../src/widgets.js"',
    "",
    'test("a widget has a name", () => assert.equal(widget("a").name, "a"))',
    "",
  ].join("\n"),
}

export interface LocalWorldOptions {
  /** Where the generated config and App key go (PatchPlane's cwd). */
  readonly dir: string
  /** database.url; omitted means PatchPlane's embedded PostgreSQL. */
  readonly databaseUrl?: string
  /** server.port (0 picks a free one). */
  readonly port?: number
  readonly logLevel?: string
  /** A real model instead of the scripted one (runtime.pi from the user's config). */
  readonly model?: Readonly<Record<string, unknown>>
  /** How long the scripted model thinks before each answer (the demo slows it to watch). */
  readonly modelLatencyMs?: number
  /** Extra `runtime` keys next to runtime.pi (runtime.claudeCode, runtime.allowed). */
  readonly runtime?: Readonly<Record<string, unknown>>
  /** Extra config merged over the generated one (top-level keys). */
  readonly config?: Readonly<Record<string, unknown>>
  /** Runs go to the local Daytona (sandbox.backend "daytona") instead of the local sandbox. */
  readonly daytona?: boolean
  /** The scripted model answers any prompt once its script is used up (the demo). */
  readonly anyPrompt?: boolean
  /** The repository owner's plan: "free" has no draft PRs on private repositories. */
  readonly plan?: "free" | "team"
}

export interface LocalWorld {
  readonly github: GitHubStandIn
  readonly model: ScriptedModelServer
  readonly issuer: LocalIssuer
  readonly repository: CreatedRepository
  /** The local Daytona, when the world was started with `daytona: true`. */
  readonly daytona: DaytonaStandIn | null
  /** The generated patchplane.config.json. */
  readonly configPath: string
  /** Points the stand-in's webhooks at a running PatchPlane and installs the App. */
  connect(patchplaneUrl: string): Promise<void>
  /** Opens an issue and comments `/patchplane <prompt>` on it, as GitHub would deliver it. */
  request(
    prompt: string,
    options?: { readonly user?: string; readonly script?: ReadonlyArray<ScriptStep> },
  ): Promise<{ readonly issueNumber: number; readonly status: number; readonly deliveryId: string }>
  /** A comment on an existing issue or PR, delivered as `issue_comment.created`. */
  comment(
    number: number,
    body: string,
    user?: string,
  ): Promise<{ readonly status: number; readonly deliveryId: string }>
  /**
   * A person submits a review on a PR, delivered as `pull_request_review.submitted`
   * (the webhook's review state is lower case, as GitHub sends it).
   */
  submitReview(
    pullNumber: number,
    input: Omit<SubmittedReview, "user"> & { readonly user?: string },
  ): Promise<{ readonly status: number; readonly deliveryId: string; readonly reviewId: number }>
  /** A user closes an issue, delivered as `issues.closed`. */
  closeIssue(number: number, user?: string): Promise<{ readonly status: number }>
  /** "Re-run" on a check run, delivered as `check_run.rerequested`. */
  rerequestCheckRun(checkRunId: number, user?: string): Promise<{ readonly status: number }>
  /** A REST call to the stand-in with an installation token (the App's own view of GitHub). */
  rest(
    path: string,
    init?: { readonly method?: string; readonly body?: unknown },
  ): Promise<Record<string, unknown>>
  /** The target repo's CI: the companion Action on the PR's head, reporting to PatchPlane. */
  review(pullNumber: number, patchplaneUrl: string): Promise<ReviewActionResult>
  close(): Promise<void>
}

export const startLocalWorld = async (options: LocalWorldOptions): Promise<LocalWorld> => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  })
  const github = await startGitHubStandIn({ appPublicKey: publicKey })
  const model = await startScriptedModelServer({
    script: [],
    ...(options.modelLatencyMs === undefined ? {} : { latencyMs: options.modelLatencyMs }),
    ...(options.anyPrompt === true ? { improvise: answerAnyPrompt } : {}),
  })
  const issuer = await startLocalIssuer({ repository: REPOSITORY })
  const daytona = options.daytona === true ? await startLocalDaytona() : null
  const repository = await github.createRepository(REPOSITORY, {
    files: repositoryFiles,
    ...(options.plan === undefined ? {} : { plan: options.plan }),
  })
  github.setPermission(REPOSITORY, MAINTAINER, "admin")

  await mkdir(options.dir, { recursive: true })
  await writeFile(join(options.dir, "app.pem"), privateKey, { mode: 0o600 })
  const config = {
    server: { port: options.port ?? 0, logLevel: options.logLevel ?? "warn" },
    ...(options.databaseUrl === undefined ? {} : { database: { url: options.databaseUrl } }),
    github: {
      appId: github.appId,
      privateKey: { file: "app.pem" },
      webhookSecret: WEBHOOK_SECRET,
      apiUrl: github.apiUrl,
      // Throttled as deployed, with writes spaced milliseconds apart instead of 1-3 s.
      throttle: true,
      writeSpacingMs: 5,
      retryBaseMs: 50,
    },
    review: { oidcIssuer: issuer.url },
    runtime: {
      pi: {
        ...(options.model === undefined
          ? {
              provider: "patchplane-gateway",
              model: "scripted-model",
              upstream: { baseUrl: model.baseUrl, apiKey: model.apiKey },
            }
          : options.model),
        ...(daytona === null ? {} : { remote: localDaytonaRemote }),
      },
      ...options.runtime,
    },
    ...(daytona === null ? {} : { sandbox: localDaytonaSandbox(daytona) }),
    ...options.config,
  }
  const configPath = join(options.dir, "patchplane.config.json")
  await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`)

  // An installation token, minted the way the App does, for reading shapes back.
  const key = await importPKCS8(privateKey, "RS256")
  const appJwt = () =>
    new SignJWT({})
      .setProtectedHeader({ alg: "RS256" })
      .setIssuer(String(github.appId))
      .setIssuedAt(Math.floor(Date.now() / 1000) - 30)
      .setExpirationTime(Math.floor(Date.now() / 1000) + 300)
      .sign(key)
  const api = async (
    path: string,
    init: { method?: string; body?: unknown; app?: boolean } = {},
  ) => {
    const auth =
      init.app === true ? `Bearer ${await appJwt()}` : `token ${await installationToken()}`
    const res = await fetch(`${github.apiUrl}${path}`, {
      method: init.method ?? "GET",
      headers: {
        authorization: auth,
        accept: "application/vnd.github+json",
        "content-type": "application/json",
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    })
    if (!res.ok)
      throw new Error(`stand-in ${init.method ?? "GET"} ${path}: ${res.status} ${await res.text()}`)
    return (await res.json()) as Record<string, unknown>
  }
  const installationToken = async () =>
    String(
      (
        await api(`/app/installations/${repository.installationId}/access_tokens`, {
          method: "POST",
          app: true,
        })
      ).token,
    )

  const comment = async (number: number, body: string, user = MAINTAINER) => {
    const created = github.addIssueComment(REPOSITORY, number, { user, body })
    const [issue, commentShape, repo, installation] = await Promise.all([
      api(`/repos/${REPOSITORY}/issues/${number}`),
      api(`/repos/${REPOSITORY}/issues/comments/${created.id}`),
      api(`/repos/${REPOSITORY}`),
      api(`/app/installations/${repository.installationId}`, { app: true }),
    ])
    const result = await github.deliverWebhook({
      event: "issue_comment",
      payload: {
        action: "created",
        issue,
        comment: commentShape,
        repository: repo,
        sender: commentShape.user,
        installation: {
          id: installation.id,
          node_id: `MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u${String(installation.id)}`,
        },
      },
    })
    return { status: result.status, deliveryId: result.deliveryId }
  }

  return {
    github,
    model,
    issuer,
    repository,
    daytona,
    configPath,
    connect: async (patchplaneUrl) => {
      github.setWebhook({
        url: `${patchplaneUrl.replace(/\/$/, "")}/api/github/webhooks`,
        secret: WEBHOOK_SECRET,
      })
      const [installation, repo] = await Promise.all([
        api(`/app/installations/${repository.installationId}`, { app: true }),
        api(`/repos/${REPOSITORY}`),
      ])
      const result = await github.deliverWebhook({
        event: "installation",
        payload: {
          action: "created",
          installation,
          repositories: [
            {
              id: repo.id,
              node_id: repo.node_id,
              name: repo.name,
              full_name: repo.full_name,
              private: repo.private,
            },
          ],
          requester: null,
          sender: installation.account,
        },
      })
      if (result.status !== 200)
        throw new Error(
          `PatchPlane refused the installation webhook: ${result.status} ${JSON.stringify(result.body)}`,
        )
    },
    request: async (prompt, requestOptions = {}) => {
      if (options.model === undefined && !(options.anyPrompt === true && !requestOptions.script))
        model.enqueue(...(requestOptions.script ?? contributingScript()))
      const user = requestOptions.user ?? MAINTAINER
      const issue = github.createIssue(REPOSITORY, { title: prompt.split("\n")[0] ?? prompt, user })
      const sent = await comment(issue.number, `/patchplane ${prompt}`, user)
      return { issueNumber: issue.number, ...sent }
    },
    comment,
    closeIssue: async (number, user = MAINTAINER) => {
      github.closeIssue(REPOSITORY, number)
      const [issue, repo, installation] = await Promise.all([
        api(`/repos/${REPOSITORY}/issues/${number}`),
        api(`/repos/${REPOSITORY}`),
        api(`/app/installations/${repository.installationId}`, { app: true }),
      ])
      const sender = (await api(`/users/${user}`).catch(() => null)) ?? issue.user
      const result = await github.deliverWebhook({
        event: "issues",
        payload: {
          action: "closed",
          issue,
          repository: repo,
          sender,
          installation: {
            id: installation.id,
            node_id: `MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u${String(installation.id)}`,
          },
        },
      })
      return { status: result.status }
    },
    rerequestCheckRun: async (checkRunId, user = MAINTAINER) => {
      const [checkRun, repo, installation] = await Promise.all([
        api(`/repos/${REPOSITORY}/check-runs/${checkRunId}`),
        api(`/repos/${REPOSITORY}`),
        api(`/app/installations/${repository.installationId}`, { app: true }),
      ])
      const sender = (await api(`/users/${user}`).catch(() => null)) ?? repo.owner
      const result = await github.deliverWebhook({
        event: "check_run",
        payload: {
          action: "rerequested",
          check_run: checkRun,
          repository: repo,
          sender,
          installation: {
            id: installation.id,
            node_id: `MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u${String(installation.id)}`,
          },
        },
      })
      return { status: result.status }
    },
    submitReview: async (pullNumber, input) => {
      const reviewId = await github.submitReview(REPOSITORY, pullNumber, {
        ...input,
        user: input.user ?? MAINTAINER,
      })
      const [review, pull, repo, installation] = await Promise.all([
        api(`/repos/${REPOSITORY}/pulls/${pullNumber}/reviews/${reviewId}`),
        api(`/repos/${REPOSITORY}/pulls/${pullNumber}`),
        api(`/repos/${REPOSITORY}`),
        api(`/app/installations/${repository.installationId}`, { app: true }),
      ])
      const result = await github.deliverWebhook({
        event: "pull_request_review",
        payload: {
          action: "submitted",
          review: { ...review, state: String(review.state).toLowerCase() },
          pull_request: pull,
          repository: repo,
          sender: review.user,
          installation: {
            id: installation.id,
            node_id: `MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u${String(installation.id)}`,
          },
        },
      })
      return { status: result.status, deliveryId: result.deliveryId, reviewId }
    },
    rest: (path, init = {}) => api(path, init),
    review: async (pullNumber, patchplaneUrl) => {
      const pr = await github.pullRequest(REPOSITORY, pullNumber)
      return runReviewAction({
        cloneUrl: github.gitUrl(REPOSITORY),
        token: await installationToken(),
        fullName: REPOSITORY,
        pullRequest: { number: pullNumber, headRef: pr.head.ref, baseRef: pr.base.ref },
        patchplaneUrl,
        issuer,
        repositoryId: repository.id,
        ownerId: Number((pr.base.repo as { owner: { id: number } }).owner.id),
      })
    },
    close: async () => {
      const [closedGitHub] = await Promise.allSettled([
        github.close(),
        model.close(),
        issuer.stop(),
        ...(daytona === null ? [] : [daytona.close()]),
      ])
      // The stand-in's close reports departures from GitHub's description: they fail the test.
      if (closedGitHub.status === "rejected") throw closedGitHub.reason
    },
  }
}
