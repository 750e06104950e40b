// Starts the control plane in this process: config → database (migrated) →
// notifications → durable workflow engine → GitHub intake → HTTP. One process
// runs every role by default (`npm start`); a scaled-out deployment runs
// `web` processes (HTTP, webhooks) and `worker` processes (executing runs)
// against one PostgreSQL. Tests run it in-process over real HTTP.
import { gatherContext } from "../context/gather-context.ts"
import { decodeRepoPolicy, REPO_POLICY_PATH } from "@patchplane/policy"
import { withStatusPublishing } from "../publication/status-publishing.ts"
import { pullRequestWebUrl } from "../github/github-urls.ts"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"
import { loadConfig, type LoadConfigOptions, type ResolvedConfig } from "../config/load-config.ts"
import { makeGitHubLive, type GitHubShape } from "../github/github-service.ts"
import { createProbot } from "../github/probot.ts"
import { createGitHubIntake, type GitHubIntake } from "../intake/github-intake.ts"
import { type Engine, startEngine } from "../orchestration/dbos-engine.ts"
import { createInterruptController } from "../orchestration/interrupts.ts"
import {
  type NotificationListener,
  startNotificationListener,
} from "../orchestration/notification-listener.ts"
import { makeDurableOrchestrator, type OrchestratorShape } from "../orchestration/orchestrator.ts"
import type { RunSteps } from "../orchestration/run-steps.ts"
import { makeRunWorkflows, WAKE_TOPIC } from "../orchestration/run-workflow.ts"
import { startWorkerRegistry } from "../orchestration/worker-registry.ts"
import { AppConfig } from "../platform/app-config.ts"
import { Database, type DatabaseShape } from "../platform/database.ts"
import { createLogger, type Logger } from "../platform/logger.ts"
import { makeRunStatusPublisher } from "../publication/run-status-publisher.ts"
import { makeIntakePublication } from "../publication/intake-publication.ts"
import { createReviewResultsHandler, makeOidcVerifier } from "../review/index.ts"
import { localOperatorMode, makeAuthenticator } from "../http/auth/auth.ts"
import { createLocalOperator, localSignInUrl } from "../http/auth/local-operator.ts"
import { createDashboardRoutes } from "../http/dashboard-routes.ts"
import { createRequestHandler } from "../http/http-server.ts"
import { chooseRunSteps } from "./run-steps-factory.ts"
import { closeHttpServer } from "../http/http-shutdown.ts"
import { createRequestGate } from "../http/request-gate.ts"

export type Role = "web" | "worker"

export interface StartOptions extends LoadConfigOptions {
  /** Default: both. */
  readonly roles?: ReadonlyArray<Role>
  /** Overrides orchestration.executorId (each worker process needs its own). */
  readonly executorId?: string
  /** How runs execute; tests pass their own. */
  readonly steps?: RunSteps
  /** What a worker does when another took over its runs (default: exit). */
  readonly onFenced?: () => void
}

export interface RunningPatchPlane {
  /** http://localhost:PORT (or the configured host); null for a worker-only process. */
  readonly url: string | null
  /**
   * Local single-operator mode: this start's operator token, and the URL that
   * signs a browser in with it (print it; anything else on this machine is
   * refused). Null otherwise (WorkOS, a public host, or no HTTP).
   */
  readonly localOperator: { readonly token: string; readonly signInUrl: string } | null
  readonly config: ResolvedConfig
  readonly database: DatabaseShape
  readonly engine: Engine
  readonly orchestrator: OrchestratorShape
  readonly listener: NotificationListener
  readonly intake: GitHubIntake | null
  readonly log: Logger
  /** Closes HTTP, stops the engine, ends the pool and stops the embedded server. */
  stop(): Promise<void>
}

const displayHost = (host: string) =>
  ["127.0.0.1", "0.0.0.0", "::", "::1"].includes(host) ? "localhost" : host

const listen = (server: Server, port: number, host: string) =>
  new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(port, host, () => {
      server.off("error", reject)
      resolve()
    })
  })

export const startPatchPlane = async (options: StartOptions = {}): Promise<RunningPatchPlane> => {
  const roles = new Set(options.roles ?? ["web", "worker"])
  const config = await Effect.runPromise(loadConfig(options))
  const runtime = ManagedRuntime.make(
    Database.layer.pipe(Layer.provideMerge(AppConfig.layerValue(config))),
  )
  const cleanups: Array<() => Promise<void>> = []
  // The port opens first and answers 503 until the rest is up (request-gate.ts).
  const gate = createRequestGate()
  const server = roles.has("web") ? createServer(gate.listener) : null
  // Stopping ends live streams (telling their clients) so HTTP can close.
  const stopping = new AbortController()
  const stopAll = async () => {
    gate.close()
    stopping.abort()
    if (server?.listening) await closeHttpServer(server)
    for (const cleanup of cleanups.toReversed()) await cleanup().catch(() => {})
    await runtime.dispose()
  }
  try {
    if (server !== null) {
      server.requestTimeout = 30_000
      server.headersTimeout = 15_000
      await listen(server, config.server.port, config.server.host)
    }
    const database = await runtime.runPromise(Database)
    const log = createLogger(config.server.logLevel, config.server.logFormat)
    const db = database.db
    const databaseUrl = database.url

    const port = server === null ? null : (server.address() as AddressInfo).port
    const url = port === null ? null : `http://${displayHost(config.server.host)}:${port}`
    const publicUrl = config.server.publicUrl ?? url ?? "http://localhost:3000"
    const dashboardUrl = (runId: string) => `${publicUrl}/runs/${runId}`
    const pullRequestUrl = pullRequestWebUrl(config.github?.apiUrl ?? "https://api.github.com")

    const probot =
      config.github === null
        ? null
        : createProbot({
            appId: config.github.appId,
            privateKey: Redacted.value(config.github.privateKey),
            webhookSecret: Redacted.value(config.github.webhookSecret),
            apiUrl: config.github.apiUrl,
            retries: config.github.retries,
            retryBaseMs: config.github.retryBaseMs,
            maxRateLimitWaitSeconds: config.github.maxRateLimitWaitSeconds,
            throttle: config.github.throttle,
            writeSpacingMs: config.github.writeSpacingMs,
            log,
          })
    const github: GitHubShape | null = probot === null ? null : makeGitHubLive(probot)

    const listener = await startNotificationListener(
      databaseUrl,
      ["patchplane_control", "patchplane_events", "patchplane_runs"],
      log,
    )
    cleanups.push(() => listener.close())
    const interrupts = createInterruptController(db, listener)
    const publishStatus =
      github === null
        ? async () => {}
        : makeRunStatusPublisher(db, github, { dashboardUrl, pullRequestUrl, log })
    const o = config.orchestration
    const executorId = options.executorId ?? o.executorId
    // Live steps when this process can execute runs; otherwise runs fail with what is missing.
    const choice =
      options.steps === undefined
        ? chooseRunSteps({ config, database, db, probot, dashboardUrl, httpUrl: url, log })
        : { steps: options.steps, modelGateway: null, missing: null, close: async () => {} }
    cleanups.push(() => choice.close())
    // Unconfigured parts are listed in the start-up summary; a warning is for a
    // configuration that still cannot run.
    if (choice.missing !== null && roles.has("worker") && config.unconfigured.length === 0)
      log.warn({ missing: choice.missing }, "runs cannot execute in this process")
    const engine = await startEngine(
      {
        databaseUrl,
        executorId,
        executes: roles.has("worker"),
        globalConcurrency: o.globalConcurrency,
        perRepositoryConcurrency: o.perRepositoryConcurrency,
        pollingIntervalMs: o.pollingIntervalMs,
        log,
      },
      makeRunWorkflows({
        db,
        steps: choice.steps,
        interrupts,
        policyDefaults: config.policy,
        agentChoices: config.agentChoices,
        ...(github === null
          ? {}
          : {
              readRepoPolicy: ({ installationId, repository, ref }) => {
                const [owner = "", repo = ""] = repository.split("/")
                return Effect.runPromise(
                  github.getFileContent({ installationId, owner, repo }, REPO_POLICY_PATH, ref),
                )
              },
              gatherContext: (target) => Effect.runPromise(gatherContext(github, target)),
            }),
        publishStatus,
        log,
        reviewTimeoutSeconds: o.reviewTimeoutSeconds,
        approvalTimeoutSeconds: o.approvalTimeoutSeconds,
      }),
    )
    cleanups.push(() => engine.shutdown())
    const registry = await startWorkerRegistry(
      db,
      engine,
      {
        executorId,
        roles: [...roles],
        heartbeatMs: o.heartbeatMs,
        leaseMs: o.leaseMs,
        recovers: roles.has("worker"),
        // Crash-only: a fenced worker exits, so no run executes on two workers.
        onFenced: options.onFenced ?? (() => process.exit(75)),
      },
      log,
    )
    cleanups.push(() => registry.stop())
    const orchestrator = makeDurableOrchestrator({ db, engine, interrupts })

    const intake =
      probot === null || github === null || !roles.has("web")
        ? null
        : createGitHubIntake({
            probot,
            github,
            intake: config.intake,
            db,
            log,
            // An approval or rejection stores its MergeDecision after the state
            // moved: rewrite the check run once both are stored (a new one when
            // the old one had completed).
            orchestrator: {
              ...orchestrator,
              approve: withStatusPublishing(orchestrator, publishStatus).approve,
              reject: withStatusPublishing(orchestrator, publishStatus).reject,
            },
            dashboardUrl,
            publishStatus,
            writes: makeIntakePublication({ db, github, log, dashboardUrl }),
            // A policy that does not decode stops the run that reads it (naming the
            // field); intake, deciding only whether to start a round, uses the defaults.
            policyFor: async (repository, installationId) => {
              const [owner = "", repo = ""] = repository.fullName.split("/")
              const text = await Effect.runPromise(
                github.getFileContent(
                  { installationId, owner, repo },
                  REPO_POLICY_PATH,
                  repository.defaultBranch,
                ),
              )
              if (text === null) return config.policy
              return Effect.runPromise(
                decodeRepoPolicy(text, config.policy).pipe(
                  Effect.orElseSucceed(() => config.policy),
                ),
              )
            },
          })
    const local =
      port !== null && localOperatorMode(config)
        ? createLocalOperator(config.api.localToken, port)
        : null
    const authenticate = makeAuthenticator(config, local)
    const reviews = createReviewResultsHandler({
      db,
      verifier: makeOidcVerifier({
        issuer: config.review.oidcIssuer,
        audience: config.review.oidcAudience,
      }),
      defaultPolicy: config.policy,
      workflowRefs: config.review.workflowRefs,
      log,
      // The run's workflow decides from the stored MergeDecision; wake it, and
      // show the decision on GitHub right away.
      onDecision: async (event) => {
        await engine.send(event.runId, WAKE_TOPIC, { reason: "review results" })
        await publishStatus(event.runId)
      },
    })
    // Dashboard (issue 8): Next.js pages and their API routes, web role only.
    // Operators' actions through HTTP show on GitHub right away.
    const operated = withStatusPublishing(orchestrator, publishStatus)
    const dashboard =
      server === null
        ? null
        : createDashboardRoutes({
            config,
            db,
            log,
            orchestrator: operated,
            authenticate,
            probot,
            server,
            publicUrl,
            cwd: options.cwd ?? process.cwd(),
            ...(process.argv.includes("--dashboard-dev") ? { dev: true } : {}),
          })
    if (dashboard !== null) cleanups.push(() => dashboard.close())
    gate.open(
      createRequestHandler({
        config,
        database,
        intake,
        runsApi: { db, orchestrator: operated, config, authenticate },
        streams: { db, listener, authenticate, stopping: stopping.signal },
        reviews,
        log,
        dashboard,
        modelGateway: choice.modelGateway,
        local,
      }),
    )

    let stopped: Promise<void> | undefined
    return {
      url,
      localOperator:
        local === null || url === null
          ? null
          : { token: Redacted.value(local.token), signInUrl: localSignInUrl(local, url) },
      config,
      database,
      engine,
      orchestrator,
      listener,
      intake,
      log,
      stop: () => {
        stopped ??= stopAll()
        return stopped
      },
    }
  } catch (error) {
    await stopAll()
    throw error
  }
}
