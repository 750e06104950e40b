// Chooses how runs execute in this process: the live steps (sandbox, scoped
// checkout, the Pi agent behind the model gateway) when GitHub and a model
// provider are configured, otherwise steps that fail at once with what is
// missing — never a silent no-op.
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
import { unavailableRunSteps } from "./unavailable-run-steps.ts"

export interface RunStepsChoice {
  readonly steps: RunSteps
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
  readonly log?: Logger
}): RunStepsChoice => {
  const { config, probot } = input
  const upstream = config.modelUpstream
  const missing =
    probot === null
      ? "no GitHub App is configured (github.*), so there is nothing to check out"
      : upstream === null
        ? "no model provider is configured (runtime.pi.upstream)"
        : config.sandbox.backend !== "local"
          ? "only the local sandbox runs agents so far (sandbox.backend: local)"
          : null
  if (missing !== null || probot === null || upstream === null)
    return {
      steps: unavailableRunSteps(missing ?? "not configured"),
      missing,
      close: async () => {},
    }

  const gateway = ModelGateway.layer({
    upstream: { baseUrl: upstream.baseUrl, apiKey: upstream.apiKey },
    upstreamIdleTimeoutMs: upstream.idleTimeoutSeconds * 1000,
    ...(upstream.gatewaySecret ? { secret: upstream.gatewaySecret } : {}),
    ...(config.runtime.pi.pricing ? { pricing: config.runtime.pi.pricing } : {}),
  })
  const base = Layer.mergeAll(
    ExecutionAdapter.layerLocal(),
    Layer.succeed(
      GitHubInstallationBroker,
      makeInstallationBrokerLive(probot, {
        apiUrl: config.github?.apiUrl ?? "https://api.github.com",
        ...(input.log === undefined ? {} : { log: input.log }),
      }),
    ),
    Layer.provide(gateway, Layer.succeed(Database, input.database)),
    Layer.succeed(Database, input.database),
  )
  const runtime = ManagedRuntime.make(
    Layer.provideMerge(
      RuntimeAdapter.layerPi({
        model: { id: config.runtime.pi.model },
        provider: config.runtime.pi.provider,
      }),
      base,
    ),
  )
  const gitBaseUrl = githubWebUrl(config.github?.apiUrl ?? "https://api.github.com")
  return {
    steps: makeLiveRunSteps({
      runtime,
      db: input.db,
      sandbox: config.sandbox,
      agent: config.runtime.pi,
      gitBaseUrl,
      publisher: makePullRequestPublisher({
        db: input.db,
        github: makeGitHubLive(probot),
        dashboardUrl: input.dashboardUrl,
      }),
    }),
    missing: null,
    close: () => Effect.runPromise(Effect.promise(() => runtime.dispose())),
  }
}
