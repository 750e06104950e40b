// Assembles the GitHub intake: Probot (auth, Octokit, event routing), the
// GitHub service on top of it, our handlers, and the webhook endpoint.
import type { Database } from "@patchplane/db"
import { Effect } from "effect"
import type { ResolvedConfig } from "../config/load-config.ts"
import type { GitHubShape } from "../github/github-service.ts"
import type { Probot } from "../github/probot.ts"
import type { OrchestratorShape } from "../orchestration/orchestrator.ts"
import type { Logger } from "../platform/logger.ts"
import type { IntakeDeps, Outcome } from "./command-handler.ts"
import { createDeliveryLog } from "./delivery-log.ts"
import { routeEvent } from "./event-router.ts"
import { createWebhookEndpoint } from "./webhook-endpoint.ts"

export interface GitHubIntake {
  readonly probot: Probot
  readonly github: GitHubShape
  readonly handleWebhook: ReturnType<typeof createWebhookEndpoint>
}

export const createGitHubIntake = (input: {
  readonly probot: Probot
  readonly github: GitHubShape
  readonly intake: ResolvedConfig["intake"]
  readonly db: Database
  readonly log: Logger
  readonly orchestrator: OrchestratorShape
  readonly dashboardUrl: (runId: string) => string
  readonly policyFor: IntakeDeps["policyFor"]
  readonly publishStatus: IntakeDeps["publishStatus"]
  readonly writes: IntakeDeps["writes"]
}): GitHubIntake => {
  const { probot, github } = input
  const outcomes = new Map<string, Outcome>()
  const deps = {
    db: input.db,
    github,
    writes: input.writes,
    orchestrator: input.orchestrator,
    log: input.log,
    maxPromptChars: input.intake.maxPromptChars,
    dashboardUrl: input.dashboardUrl,
    policyFor: input.policyFor,
    publishStatus: input.publishStatus,
  } satisfies IntakeDeps
  probot.onAny(async (context) => {
    const event = {
      id: context.id,
      name: context.name,
      payload: context.payload as Record<string, unknown>,
    }
    outcomes.set(context.id, await Effect.runPromise(routeEvent(deps, event)))
  })
  return {
    probot,
    github,
    handleWebhook: createWebhookEndpoint({
      probot,
      deliveries: createDeliveryLog(input.db),
      log: input.log,
      maxBodyBytes: input.intake.maxBodyBytes,
      outcomes,
    }),
  }
}
