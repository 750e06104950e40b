// Chooses how runs execute in this process: the live steps (sandbox, scoped
// checkout, the agent runtime the run's policy picks — Pi, or Claude Code
// where allowed — behind the model gateway) on the configured backend
// (the local bubblewrap sandbox or Daytona) when GitHub and a model provider
// are configured, otherwise steps that fail at once with what is missing —
// never a silent no-op. On Daytona the sandbox reaches the model gateway over
// HTTPS, so the gateway is handed to the HTTP server to mount.
import { githubWebUrl } from "../github/github-urls.ts"
import type { Database as Drizzle } from "@patchplane/db"
import { Effect, Layer, ManagedRuntime } from "effect"
import type { ResolvedConfig } from "../config/load-config.ts"
import { ExecutionAdapter } from "../execution/index.ts"
import { makeInstallationBrokerLive } from "../github/installation-token.ts"
import type { Probot } from "../github/probot.ts"
import { makeGitHubLive } from "../github/github-service.ts"
import { makePullRequestPublisher } from "../publication/pull-request-publisher.ts"
import { makeLiveRunSteps } from "../orchestration/live-run-steps.ts"
import type { RunSteps } from "../orchestration/run-steps.ts"
import { Database, type DatabaseShape } from "../platform/database.ts"
import type { Logger } from "../platform/logger.ts"
import { GitHubInstallationBroker } from "../platform/github-installation-broker.ts"
import { ModelGateway, RuntimeAdapter } from "../runtime/index.ts"
import { createModelGateway, type ModelGatewayShape } from "../runtime/model-gateway.ts"

/** Where the gateway is mounted on PatchPlane's HTTP server. */
const gatewayBasePath = "/api/model-gateway"
import { unavailableRunSteps } from "./unavailable-run-steps.ts"

export interface RunStepsChoice {
  readonly steps: RunSteps
  /** The model gateway remote sandboxes call over HTTP(S); null when none runs here. */
  readonly modelGateway: ModelGatewayShape | null
  /** Why runs cannot execute here, or null. */
  readonly missing: string | null
  close(): Promise<void>
}

export const chooseRunSteps = (input: {
  readonly config: ResolvedConfig
  readonly database: DatabaseShape
  readonly db: Drizzle
  readonly probot: Probot | null
  readonly dashboardUrl: (runId: string) => string
  /** This process's own HTTP server (null without the web role): where the gateway is mounted. */
  readonly httpUrl: string | null
  readonly log?: Logger
}): RunStepsChoice => {
  const { config, probot } = input
  const upstream = config.modelUpstream
  const daytona = config.sandbox.backend === "daytona" ? config.sandbox.daytona : null
  const remote = config.runtime.pi.remote
  const claudeRemote = config.runtime.claudeCode.remote
  const publicUrl = (config.server.publicUrl ?? input.httpUrl)?.replace(/\/+$/, "")
  const gatewayUrl =
    remote?.gatewayUrl ??
    (publicUrl === undefined ? undefined : `${publicUrl}${gatewayBasePath}/v1`)
  // Claude Code appends /v1/messages itself.
  const claudeGatewayUrl =
    claudeRemote?.gatewayUrl ??
    (publicUrl === undefined ? undefined : `${publicUrl}${gatewayBasePath}`)
  const missing =
    probot === null
      ? "no GitHub App is configured (github.*), so there is nothing to check out"
      : upstream === null
        ? "no model provider is configured (runtime.pi.upstream)"
        : config.sandbox.backend === "daytona" && daytona === null
          ? "sandbox.backend is daytona, but sandbox.daytona (apiUrl, apiKey, target) is not configured"
          : daytona !== null && (input.httpUrl === null || gatewayUrl === undefined)
            ? "Daytona sandboxes call the model gateway on this process's HTTP server: run the worker with the web role, behind server.publicUrl"
            : null
  if (missing !== null || probot === null || upstream === null)
    return {
      steps: unavailableRunSteps(missing ?? "not configured"),
      modelGateway: null,
      missing,
      close: async () => {},
    }

  const gateway = createModelGateway({
    db: input.database.db,
    basePath: gatewayBasePath,
    upstream: {
      baseUrl: upstream.baseUrl,
      apiKey: upstream.apiKey,
      ...(config.runtime.claudeCode.anthropicBaseUrl === undefined
        ? {}
        : { anthropicBaseUrl: config.runtime.claudeCode.anthropicBaseUrl }),
    },
    upstreamIdleTimeoutMs: upstream.idleTimeoutSeconds * 1000,
    ...(upstream.gatewaySecret ? { secret: upstream.gatewaySecret } : {}),
    ...(config.runtime.pi.pricing ? { pricing: config.runtime.pi.pricing } : {}),
  })
  const execution =
    daytona === null
      ? ExecutionAdapter.layerLocal()
      : ExecutionAdapter.layerDaytona({
          apiUrl: daytona.apiUrl,
          apiKey: daytona.apiKey,
          target: daytona.target,
          networkAllowList: daytona.networkAllowList,
        })
  const base = Layer.mergeAll(
    execution,
    Layer.succeed(
      GitHubInstallationBroker,
      makeInstallationBrokerLive(probot, {
        apiUrl: config.github?.apiUrl ?? "https://api.github.com",
        ...(input.log === undefined ? {} : { log: input.log }),
      }),
    ),
    ModelGateway.layerValue(gateway),
    Layer.succeed(Database, input.database),
  )
  // The run steps' own runtime, apart from the process's (config, database): it is
  // built when a run first needs it, so a sandbox backend's SDK (Daytona's) loads
  // only then (a web-only process never loads it), and a backend that cannot be
  // set up fails that run with its reason, never the process's start.
  const runtime = ManagedRuntime.make(
    Layer.provideMerge(
      RuntimeAdapter.layerLive({
        pi: {
          model: { id: config.runtime.pi.model },
          provider: config.runtime.pi.provider,
          ...(daytona === null || gatewayUrl === undefined
            ? {}
            : { remote: { command: remote?.command ?? ["pi"], gatewayBaseUrl: gatewayUrl } }),
        },
        // Claude Code only where a policy may choose it.
        ...(config.agentChoices.runtimes.includes("claude-code")
          ? {
              claudeCode: {
                model: config.runtime.claudeCode.model,
                ...(daytona === null || claudeGatewayUrl === undefined
                  ? {}
                  : {
                      remote: {
                        binaryPath: claudeRemote?.binaryPath ?? "claude",
                        gatewayBaseUrl: claudeGatewayUrl,
                      },
                    }),
              },
            }
          : {}),
      }),
      base,
    ),
  )
  const { daytona: _daytona, ...profile } = config.sandbox
  // The snapshot built from the execution layer's Dockerfile, unless the sandbox names its own.
  const sandbox =
    daytona !== null && profile.snapshot === undefined && remote?.snapshot !== undefined
      ? { ...profile, snapshot: remote.snapshot }
      : profile
  const gitBaseUrl = githubWebUrl(config.github?.apiUrl ?? "https://api.github.com")
  return {
    steps: makeLiveRunSteps({
      runtime,
      db: input.db,
      sandbox,
      agent: config.runtime.pi,
      gitBaseUrl,
      publisher: makePullRequestPublisher({
        db: input.db,
        github: makeGitHubLive(probot),
        dashboardUrl: input.dashboardUrl,
      }),
    }),
    modelGateway: daytona === null ? null : gateway,
    missing: null,
    close: () => Effect.runPromise(Effect.promise(() => runtime.dispose())),
  }
}
