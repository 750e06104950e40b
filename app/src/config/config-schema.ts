// The shape of patchplane.config.json (or .yaml). Every key is optional: an
// empty file (or none) runs on embedded defaults. Keys users and scripts rely
// on: server.port, database.url, github.{appId,privateKey,webhookSecret,apiUrl},
// sandbox.backend, runtime.pi.
import { Schema } from "effect"
import {
  Api,
  PolicySpec,
  PositiveInt,
  RuntimeProfile,
  SandboxProfile,
  withDefault,
} from "@patchplane/domain"

/**
 * A secret: `{"env": "NAME"}` (read from the environment), `{"file": "path"}`
 * (read from a file, relative to the config file) or, for local use only, a
 * literal string.
 */
export const SecretRef = Schema.Union([
  Schema.Struct({ env: Schema.NonEmptyString }),
  Schema.Struct({ file: Schema.NonEmptyString }),
  Schema.NonEmptyString,
]).annotate({ expected: 'a secret: {"env": NAME}, {"file": PATH} or a string' })
export type SecretRef = typeof SecretRef.Type

const Port = Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 65_535 }))
const HttpUrl = Schema.String.check(
  Schema.isPattern(/^https?:\/\/[^\s/]+/, { expected: "an http(s) URL" }),
)

export const ServerConfig = Schema.Struct({
  /** 127.0.0.1 by default: without WorkOS the dashboard is a local single-operator tool. */
  host: Schema.NonEmptyString.pipe(withDefault("127.0.0.1")),
  port: Port.pipe(withDefault(3000)),
  /** The URL people and GitHub reach this server at (links in comments and checks). */
  publicUrl: Schema.optionalKey(HttpUrl),
  logLevel: Schema.Literals(["trace", "debug", "info", "warn", "error", "silent"]).pipe(
    withDefault("info"),
  ),
  /** Log lines: `auto` is readable on a terminal and JSON otherwise; `json` always for collectors. */
  logFormat: Schema.Literals(["auto", "pretty", "json"]).pipe(withDefault("auto")),
})

export const DatabaseConfig = Schema.Struct({
  /** A PostgreSQL URL; without one PatchPlane runs an embedded PostgreSQL. */
  url: Schema.optionalKey(SecretRef),
  poolSize: PositiveInt.pipe(withDefault(10)),
  embedded: Schema.Struct({
    dataDir: Schema.NonEmptyString.pipe(withDefault(".patchplane/postgres")),
    /** 0 picks a free port at every start. */
    port: Port.pipe(withDefault(0)),
  }).pipe(withDefault({})),
})

export const GitHubConfig = Schema.Struct({
  appId: PositiveInt,
  privateKey: SecretRef,
  webhookSecret: SecretRef,
  /** https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server. */
  apiUrl: HttpUrl.pipe(withDefault("https://api.github.com")),
  /** Retries of a GitHub call that failed with 5xx or hit a rate limit, with backoff. */
  retries: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 10 })).pipe(withDefault(3)),
  /** First backoff step; later ones grow quadratically (Octokit's retry plugin). */
  retryBaseMs: PositiveInt.pipe(withDefault(1000)),
  /**
   * Octokit's throttling: spaces out content-creating requests (comments, PRs)
   * as GitHub asks and retries rate-limited ones. Leave it on for github.com;
   * GitHub Enterprise Server with rate limiting disabled may turn it off.
   */
  throttle: Schema.Boolean.pipe(withDefault(true)),
  /**
   * With throttling on: the spacing between content-creating requests. GitHub
   * asks for at least a second between writes; requests that notify people
   * (comments, pull requests) get three times this, as Octokit spaces them.
   */
  writeSpacingMs: PositiveInt.pipe(withDefault(1000)),
  /** A rate-limit wait longer than this fails the call instead of stalling the run. */
  maxRateLimitWaitSeconds: PositiveInt.pipe(withDefault(120)),
})

export const IntakeConfig = Schema.Struct({
  /** Prompts longer than this (after sanitising) are refused with a reply. */
  maxPromptChars: PositiveInt.pipe(withDefault(16_000)),
  /** Webhook bodies larger than this are refused with 413 (GitHub sends at most 25 MB). */
  maxBodyBytes: PositiveInt.pipe(withDefault(25 * 1024 * 1024)),
})

export const DaytonaConfig = Schema.Struct({
  apiUrl: HttpUrl,
  apiKey: SecretRef,
  target: Schema.NonEmptyString,
  /**
   * CIDRs a sandbox may reach although its network is blocked: the model
   * gateway and the git host. Empty means no network at all.
   */
  networkAllowList: Schema.Array(Schema.NonEmptyString).pipe(withDefault([])),
})

export const SandboxConfig = Schema.Struct({
  ...SandboxProfile.fields,
  daytona: Schema.optionalKey(DaytonaConfig),
})

export const PiConfig = Schema.Struct({
  ...RuntimeProfile.fields,
  /** The OpenAI-compatible endpoint PatchPlane's model gateway forwards to. */
  upstream: Schema.optionalKey(
    Schema.Struct({
      baseUrl: HttpUrl,
      apiKey: Schema.optionalKey(SecretRef),
      /** A provider that sends nothing (no headers, no stream chunk) this long is given up on. */
      idleTimeoutSeconds: PositiveInt.pipe(withDefault(120)),
    }),
  ),
  /**
   * Signs the agents' per-run gateway tokens. The gateway runs inside the
   * worker that runs the agent, so a random per-process key works today; a
   * fixed one keeps tokens valid across that worker's restarts.
   */
  gatewaySecret: Schema.optionalKey(SecretRef),
  /**
   * Pi in remote (Daytona) sandboxes, which cannot see the host's install:
   * the command that starts it in the image, the snapshot built from
   * app/src/execution/daytona/Dockerfile (used when sandbox.snapshot is not
   * set), and the model gateway's URL as the sandbox reaches it (default
   * <server.publicUrl>/api/model-gateway/v1).
   */
  remote: Schema.optionalKey(
    Schema.Struct({
      command: Schema.Array(Schema.NonEmptyString).pipe(withDefault(["pi"])),
      snapshot: Schema.optionalKey(Schema.NonEmptyString),
      gatewayUrl: Schema.optionalKey(HttpUrl),
    }),
  ),
  /** Prices for the cost budget when the provider does not report `usage.cost`. */
  pricing: Schema.optionalKey(
    Schema.Struct({
      inputUsdPerMTok: Schema.Number.check(Schema.isGreaterThanOrEqualTo(0)),
      outputUsdPerMTok: Schema.Number.check(Schema.isGreaterThanOrEqualTo(0)),
    }),
  ),
})

/** The runtimes this build can run, by adapter id. */
export const RuntimeId = Schema.Literals(["pi", "claude-code"])

export const ClaudeCodeConfig = Schema.Struct({
  /** The model Claude Code asks the gateway for when the policy names none. */
  model: Schema.NonEmptyString.pipe(withDefault("claude-sonnet-4-5")),
  /**
   * The provider's Anthropic Messages endpoint (a base URL ending in /v1,
   * e.g. https://api.anthropic.com/v1); default runtime.pi.upstream.baseUrl.
   * The key is runtime.pi.upstream.apiKey, sent as x-api-key.
   */
  anthropicBaseUrl: Schema.optionalKey(HttpUrl),
  /**
   * Claude Code in remote (Daytona) sandboxes, which cannot see the host's
   * binary: the `claude` binary in the image (the same snapshot as Pi's,
   * built from app/src/execution/daytona/Dockerfile), and the model
   * gateway's URL as the sandbox reaches it (default
   * <server.publicUrl>/api/model-gateway; Claude Code appends /v1/messages).
   */
  remote: Schema.optionalKey(
    Schema.Struct({
      binaryPath: Schema.NonEmptyString.pipe(withDefault("claude")),
      gatewayUrl: Schema.optionalKey(HttpUrl),
    }),
  ),
})

/** What a repository's .github/patchplane.yml may choose (agent.runtime, agent.model). */
export const AllowedAgents = Schema.Struct({
  runtimes: Schema.Array(RuntimeId).pipe(withDefault(["pi"])),
  /** Models a policy may name; each runtime's configured model is always allowed. */
  models: Schema.Array(Schema.NonEmptyString).pipe(withDefault([])),
})

export const ApiConfig = Schema.Struct({
  /**
   * Bearer tokens for scripts and other services, each with a role. Without
   * WorkOS, the local operator (admin) is whoever holds the local token.
   */
  tokens: Schema.Array(
    Schema.Struct({ name: Schema.NonEmptyString, token: SecretRef, role: Api.Role }),
  ).pipe(withDefault([])),
  /**
   * The local operator's secret (local mode only: no WorkOS, loopback host).
   * Default: a new random one at every start, printed as the sign-in URL.
   */
  localToken: Schema.optionalKey(SecretRef),
})

export const OrchestrationConfig = Schema.Struct({
  /** Runs executing at once across all workers. */
  globalConcurrency: PositiveInt.pipe(withDefault(4)),
  /** Runs executing at once per repository. */
  perRepositoryConcurrency: PositiveInt.pipe(withDefault(2)),
  /** How often an idle worker looks for queued runs. */
  pollingIntervalMs: PositiveInt.pipe(withDefault(50)),
  /** This process's stable executor id; give each worker of a scaled-out deployment its own. */
  executorId: Schema.NonEmptyString.pipe(withDefault("local")),
  heartbeatMs: PositiveInt.pipe(withDefault(2_000)),
  /** A worker silent this long has its runs taken over by a live one. */
  leaseMs: PositiveInt.pipe(withDefault(15_000)),
  /** How long a run waits for review results before asking a human. */
  reviewTimeoutSeconds: PositiveInt.pipe(withDefault(3_600)),
  /** How long a run waits for an operator before it times out. */
  approvalTimeoutSeconds: PositiveInt.pipe(withDefault(7 * 24 * 3_600)),
})

export const ReviewConfig = Schema.Struct({
  /** Who issues the companion Action's OIDC tokens (GitHub Actions, or a GHES host's issuer). */
  oidcIssuer: HttpUrl.pipe(withDefault("https://token.actions.githubusercontent.com")),
  /** The audience the Action requests its token for. */
  oidcAudience: Schema.NonEmptyString.pipe(withDefault("patchplane")),
  /**
   * The workflows whose tokens may report results, matched against the
   * token's job_workflow_ref: `owner/repo/.github/workflows/file.yml@ref`,
   * `@*` for any ref. Add your fork's or a pinned copy's here.
   */
  workflowRefs: Schema.Array(Schema.NonEmptyString).pipe(
    withDefault(["patchplane/patchplane/.github/workflows/patchplane-review.yml@*"]),
  ),
})

/**
 * Dashboard sign-in with WorkOS AuthKit. Without it the dashboard is a local
 * single-operator tool (admin), available only while server.host is loopback.
 */
export const WorkOSConfig = Schema.Struct({
  clientId: Schema.NonEmptyString,
  apiKey: SecretRef,
  /** Seals the session cookie; at least 32 characters. */
  cookiePassword: SecretRef,
  /** Where WorkOS sends the browser back; default <publicUrl>/api/auth/callback. */
  redirectUri: Schema.optionalKey(HttpUrl),
  /** Only members of this organization may sign in. */
  organizationId: Schema.optionalKey(Schema.NonEmptyString),
  /** The WorkOS API (a proxy, or a fake in tests). */
  apiUrl: HttpUrl.pipe(withDefault("https://api.workos.com")),
})

export const DashboardConfig = Schema.Struct({
  /** Serve the dashboard in Next.js dev mode (hot reload) instead of the production build. */
  dev: Schema.Boolean.pipe(withDefault(false)),
})

export const PatchPlaneConfig = Schema.Struct({
  $schema: Schema.optionalKey(Schema.String),
  server: ServerConfig.pipe(withDefault({})),
  database: DatabaseConfig.pipe(withDefault({})),
  github: Schema.optionalKey(GitHubConfig),
  intake: IntakeConfig.pipe(withDefault({})),
  review: ReviewConfig.pipe(withDefault({})),
  orchestration: OrchestrationConfig.pipe(withDefault({})),
  api: ApiConfig.pipe(withDefault({})),
  workos: Schema.optionalKey(WorkOSConfig),
  dashboard: DashboardConfig.pipe(withDefault({})),
  sandbox: SandboxConfig.pipe(withDefault({})),
  runtime: Schema.Struct({
    pi: PiConfig.pipe(withDefault({})),
    claudeCode: ClaudeCodeConfig.pipe(withDefault({})),
    allowed: AllowedAgents.pipe(withDefault({})),
  }).pipe(withDefault({})),
  /** Defaults for every repo; a repo's .github/patchplane.yml overrides them. */
  policy: PolicySpec.pipe(withDefault({})),
})
export type PatchPlaneConfig = typeof PatchPlaneConfig.Type
