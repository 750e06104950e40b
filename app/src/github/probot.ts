// The one module that imports Probot. PatchPlane uses Probot for what it does
// well (app authentication, installation tokens, an Octokit with the retry and
// throttling plugins, typed event routing) and does the HTTP intake itself:
// Probot's middleware reads unbounded bodies, and on a bad signature logs the
// whole payload at error level. See intake/webhook-endpoint.ts.
import Bottleneck from "bottleneck"
import { Probot, ProbotOctokit } from "probot"
import type { Logger } from "../platform/logger.ts"

export type { Context as ProbotContext } from "probot"
export type Octokit = InstanceType<typeof ProbotOctokit>
export type { Probot }

export interface ProbotSettings {
  readonly appId: number
  readonly privateKey: string
  readonly webhookSecret: string
  readonly apiUrl: string
  readonly retries: number
  readonly retryBaseMs: number
  readonly maxRateLimitWaitSeconds: number
  readonly throttle: boolean
  /** Spacing of writes when throttled (Octokit's own default: 1,000 ms, notifying ones 3×). */
  readonly writeSpacingMs?: number
  readonly log: Logger
}

export const createProbot = (settings: ProbotSettings): Probot => {
  // Probot silently falls back to the secret "development"; we never let it.
  if (settings.webhookSecret.trim() === "")
    throw new Error("github.webhookSecret is empty: refusing to accept unauthenticated webhooks")
  const retryOnLimit = (retryAfter: number, _options: unknown, octokit: Octokit, count: number) => {
    const retry = count < settings.retries && retryAfter <= settings.maxRateLimitWaitSeconds
    octokit.log.warn(
      `GitHub rate limit: ${retry ? `retrying in ${retryAfter}s` : "giving up"} (attempt ${count + 1})`,
    )
    return retry
  }
  // Octokit's throttling keeps these queues per process; ours are per App, at
  // the configured spacing (a test world writes every few milliseconds, with
  // the same queues and rate-limit handling as production).
  const spacing = settings.writeSpacingMs ?? 1000
  const write = new Bottleneck.Group({ id: "patchplane-write", maxConcurrent: 1, minTime: spacing })
  const notifications = new Bottleneck.Group({
    id: "patchplane-notifications",
    maxConcurrent: 1,
    minTime: 3 * spacing,
  })
  // A function, not an object: Probot passes its own `throttle` options to
  // the constructor, and object defaults would be replaced by them wholesale.
  const Octokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
    ...options,
    retry: { retries: settings.retries, retryAfterBaseValue: settings.retryBaseMs },
    throttle: {
      ...(options.throttle as object | undefined),
      enabled: settings.throttle,
      write,
      notifications,
      onRateLimit: retryOnLimit,
      onSecondaryRateLimit: retryOnLimit,
    },
  }))
  return new Probot({
    appId: settings.appId,
    privateKey: settings.privateKey,
    secret: settings.webhookSecret,
    baseUrl: settings.apiUrl,
    log: settings.log.child({ name: "probot" }),
    Octokit,
  })
}

/** Constant-time HMAC check of X-Hub-Signature-256 against the raw body. */
export const verifySignature = (probot: Probot, body: string, signature: string) =>
  probot.webhooks.verify(body, signature).catch(() => false)

/**
 * An Octokit authenticated as one installation token (not as the App): what
 * `DELETE /installation/token` needs, since GitHub revokes the token a request
 * is authenticated with. No retries: a revocation is attempted once.
 */
export const tokenOctokit = (apiUrl: string, token: string): Octokit =>
  new ProbotOctokit({
    auth: { token },
    baseUrl: apiUrl,
    retry: { enabled: false },
    throttle: { enabled: false },
  })
