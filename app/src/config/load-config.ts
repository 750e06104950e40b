// Reads, decodes and resolves the one config file. Contract:
// - the file is patchplane.config.json (or .yaml/.yml) in the working
//   directory, unless PATCHPLANE_CONFIG names another path;
// - PORT overrides server.port and DATABASE_URL overrides database.url;
//   nothing else is read from scattered environment variables;
// - a bad file fails with the path and reason of every bad field.
import { type AgentChoices, agentChoiceIssues, agentChoicesOf } from "@patchplane/policy"
import { existsSync } from "node:fs"
import { readFile } from "node:fs/promises"
import { dirname, resolve } from "node:path"
import { Effect, Redacted, Schema } from "effect"
import { parseDocument } from "yaml"
import { decodeWith, type FieldIssue, formatIssues } from "@patchplane/domain"
import { PatchPlaneConfig, type SecretRef } from "./config-schema.ts"

export const CONFIG_FILE_NAMES = [
  "patchplane.config.json",
  "patchplane.config.yaml",
  "patchplane.config.yml",
] as const

export class ConfigError extends Schema.TaggedError<ConfigError>()("ConfigError", {
  source: Schema.String,
  issues: Schema.Array(Schema.Struct({ path: Schema.String, message: Schema.String })),
}) {
  override get message(): string {
    return formatIssues(this.source, this.issues)
  }
}

type Secret = Redacted.Redacted<string>

/** The config with defaults applied and secrets read: what the app runs on. */
export interface ResolvedConfig {
  /** Absolute path of the file read, or null when running on defaults. */
  readonly source: string | null
  readonly server: PatchPlaneConfig["server"]
  readonly database: Omit<PatchPlaneConfig["database"], "url"> & { readonly url: Secret | null }
  readonly github:
    | (Omit<NonNullable<PatchPlaneConfig["github"]>, "privateKey" | "webhookSecret"> & {
        readonly privateKey: Secret
        readonly webhookSecret: Secret
      })
    | null
  readonly sandbox: Omit<PatchPlaneConfig["sandbox"], "daytona"> & {
    readonly daytona:
      | (Omit<NonNullable<PatchPlaneConfig["sandbox"]["daytona"]>, "apiKey"> & {
          readonly apiKey: Secret
        })
      | null
  }
  readonly intake: PatchPlaneConfig["intake"]
  readonly review: PatchPlaneConfig["review"]
  readonly orchestration: PatchPlaneConfig["orchestration"]
  readonly api: {
    readonly tokens: ReadonlyArray<{
      readonly name: string
      readonly token: Secret
      readonly role: "admin" | "reviewer" | "viewer"
    }>
    /** api.localToken, read; null: a random one per start. */
    readonly localToken: Secret | null
  }
  readonly runtime: PatchPlaneConfig["runtime"]
  /** What a repository's policy may choose (runtime.allowed, plus each runtime's own model). */
  readonly agentChoices: AgentChoices
  /** The model provider behind the gateway, with its key resolved; null when not configured. */
  readonly modelUpstream: {
    readonly baseUrl: string
    readonly idleTimeoutSeconds: number
    readonly apiKey: Secret | null
    readonly gatewaySecret: Secret | null
  } | null
  readonly policy: PatchPlaneConfig["policy"]
  /** Dashboard sign-in; null runs the local single-operator mode. */
  readonly workos:
    | (Omit<NonNullable<PatchPlaneConfig["workos"]>, "apiKey" | "cookiePassword"> & {
        readonly apiKey: Secret
        readonly cookiePassword: Secret
      })
    | null
  readonly dashboard: PatchPlaneConfig["dashboard"]
  /** Parts that are not set up yet, for the start-up log ("GitHub App", …). */
  readonly unconfigured: ReadonlyArray<string>
}

export interface LoadConfigOptions {
  readonly cwd?: string
  readonly env?: Readonly<Record<string, string | undefined>>
}

const findConfigFile = (cwd: string, env: LoadConfigOptions["env"]) => {
  const named = env?.PATCHPLANE_CONFIG
  if (named !== undefined && named !== "") return { path: resolve(cwd, named), named: true }
  for (const name of CONFIG_FILE_NAMES) {
    const path = resolve(cwd, name)
    if (existsSync(path)) return { path, named: false }
  }
  return null
}

const parseText = (path: string, text: string): Effect.Effect<unknown, ConfigError> => {
  if (path.endsWith(".json")) {
    return Effect.try({
      try: () => (text.trim() === "" ? {} : (JSON.parse(text) as unknown)),
      catch: (error) =>
        new ConfigError({
          source: path,
          issues: [{ path: "(root)", message: `not valid JSON: ${(error as Error).message}` }],
        }),
    })
  }
  const doc = parseDocument(text, { prettyErrors: true })
  const first = doc.errors[0]
  if (first !== undefined) {
    return Effect.fail(
      new ConfigError({
        source: path,
        issues: [{ path: "(root)", message: `not valid YAML: ${first.message}` }],
      }),
    )
  }
  return Effect.succeed(doc.toJS() ?? {})
}

/** Applies the documented environment overrides (PORT, DATABASE_URL) to the raw document. */
const applyOverrides = (
  raw: unknown,
  env: LoadConfigOptions["env"],
): Effect.Effect<unknown, ConfigError> => {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return Effect.succeed(raw)
  const doc = { ...(raw as Record<string, unknown>) }
  const port = env?.PORT
  if (port !== undefined && port !== "") {
    const value = Number(port)
    if (!/^\d+$/.test(port) || value > 65_535)
      return Effect.fail(
        new ConfigError({
          source: "environment",
          issues: [{ path: "PORT", message: `Expected a port number 0-65535, got "${port}"` }],
        }),
      )
    doc.server = { ...(doc.server as object | undefined), port: value }
  }
  const databaseUrl = env?.DATABASE_URL
  if (databaseUrl !== undefined && databaseUrl !== "")
    doc.database = { ...(doc.database as object | undefined), url: databaseUrl }
  return Effect.succeed(doc)
}

const readSecret = async (
  ref: SecretRef,
  path: string,
  baseDir: string,
  env: LoadConfigOptions["env"],
  issues: FieldIssue[],
): Promise<Secret> => {
  if (typeof ref === "string") return Redacted.make(ref)
  if ("env" in ref) {
    const value = env?.[ref.env]
    if (value === undefined || value === "")
      issues.push({ path, message: `environment variable ${ref.env} is not set` })
    return Redacted.make(value ?? "")
  }
  const file = resolve(baseDir, ref.file)
  try {
    const value = (await readFile(file, "utf8")).trim()
    if (value === "") issues.push({ path, message: `file ${file} is empty` })
    return Redacted.make(value)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error"
    issues.push({ path, message: `cannot read file ${file} (${code})` })
    return Redacted.make("")
  }
}

const resolveWorkOS = async (
  workos: NonNullable<PatchPlaneConfig["workos"]>,
  secret: (ref: SecretRef, path: string) => Promise<Secret>,
  issues: FieldIssue[],
): Promise<NonNullable<ResolvedConfig["workos"]>> => {
  const cookiePassword = await secret(workos.cookiePassword, "workos.cookiePassword")
  const length = Redacted.value(cookiePassword).length
  if (length > 0 && length < 32)
    issues.push({ path: "workos.cookiePassword", message: "must be at least 32 characters" })
  return { ...workos, apiKey: await secret(workos.apiKey, "workos.apiKey"), cookiePassword }
}

const resolveSecrets = (
  config: PatchPlaneConfig,
  source: string,
  baseDir: string,
  env: LoadConfigOptions["env"],
): Effect.Effect<ResolvedConfig, ConfigError> =>
  Effect.tryPromise({
    try: async () => {
      const issues: FieldIssue[] = []
      const secret = (ref: SecretRef, path: string) => readSecret(ref, path, baseDir, env, issues)
      const { github, database, sandbox, workos } = config
      const agentChoices = agentChoicesOf(config.runtime)
      for (const issue of agentChoiceIssues(config.policy.agent, agentChoices))
        issues.push({ ...issue, path: `policy.${issue.path}` })
      const { daytona, ...sandboxProfile } = sandbox
      const resolved: ResolvedConfig = {
        source: source === "defaults" ? null : source,
        server: config.server,
        database: {
          ...database,
          url: database.url === undefined ? null : await secret(database.url, "database.url"),
        },
        github:
          github === undefined
            ? null
            : {
                ...github,
                privateKey: await secret(github.privateKey, "github.privateKey"),
                webhookSecret: await secret(github.webhookSecret, "github.webhookSecret"),
              },
        sandbox: {
          ...sandboxProfile,
          daytona:
            daytona === undefined
              ? null
              : { ...daytona, apiKey: await secret(daytona.apiKey, "sandbox.daytona.apiKey") },
        },
        intake: config.intake,
        review: config.review,
        orchestration: config.orchestration,
        api: {
          tokens: await Promise.all(
            config.api.tokens.map(async (t, i) => ({
              ...t,
              token: await secret(t.token, `api.tokens[${i}].token`),
            })),
          ),
          localToken:
            config.api.localToken === undefined
              ? null
              : await secret(config.api.localToken, "api.localToken"),
        },
        runtime: config.runtime,
        agentChoices,
        modelUpstream:
          config.runtime.pi.upstream === undefined
            ? null
            : {
                baseUrl: config.runtime.pi.upstream.baseUrl,
                idleTimeoutSeconds: config.runtime.pi.upstream.idleTimeoutSeconds,
                apiKey:
                  config.runtime.pi.upstream.apiKey === undefined
                    ? null
                    : await secret(config.runtime.pi.upstream.apiKey, "runtime.pi.upstream.apiKey"),
                gatewaySecret:
                  config.runtime.pi.gatewaySecret === undefined
                    ? null
                    : await secret(config.runtime.pi.gatewaySecret, "runtime.pi.gatewaySecret"),
              },
        policy: config.policy,
        workos: workos === undefined ? null : await resolveWorkOS(workos, secret, issues),
        dashboard: config.dashboard,
        unconfigured: [
          ...(github === undefined ? ["GitHub App (github)"] : []),
          ...(config.runtime.pi.upstream === undefined
            ? ["model provider (runtime.pi.upstream)"]
            : []),
          ...(sandbox.backend === "daytona" && daytona === undefined
            ? ["Daytona (sandbox.daytona)"]
            : []),
        ],
      }
      if (issues.length > 0) throw new ConfigError({ source, issues })
      return resolved
    },
    catch: (error) =>
      error instanceof ConfigError
        ? error
        : new ConfigError({ source, issues: [{ path: "(root)", message: String(error) }] }),
  })

/** Loads the config the app starts with; see the contract at the top of this file. */
export const loadConfig = Effect.fn("loadConfig")(function* (options: LoadConfigOptions = {}) {
  const cwd = options.cwd ?? process.cwd()
  const env = options.env ?? process.env
  const found = findConfigFile(cwd, env)
  let raw: unknown = {}
  let source = "defaults"
  if (found !== null) {
    source = found.path
    const text = yield* Effect.tryPromise({
      try: () => readFile(found.path, "utf8"),
      catch: (error) =>
        new ConfigError({
          source: found.path,
          issues: [
            {
              path: "(root)",
              message: found.named
                ? `PATCHPLANE_CONFIG names a file that cannot be read (${(error as NodeJS.ErrnoException).code ?? error})`
                : `cannot read the config file (${String(error)})`,
            },
          ],
        }),
    })
    raw = yield* parseText(found.path, text)
  }
  const withOverrides = yield* applyOverrides(raw, env)
  const config = yield* decodeWith(
    PatchPlaneConfig,
    source,
  )(withOverrides).pipe(
    Effect.mapError((error) => new ConfigError({ source, issues: error.issues })),
  )
  const baseDir = found === null ? cwd : dirname(found.path)
  return yield* resolveSecrets(config, source, baseDir, env)
})
