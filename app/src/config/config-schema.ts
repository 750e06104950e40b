// The shape of patchplane.config.json (or .yaml). Every key is optional: an
// empty file (or none) runs on embedded defaults. Keys users and scripts rely
// on: server.port, database.url, github.{appId,privateKey,webhookSecret,apiUrl},
// sandbox.backend, runtime.pi.
import { Schema } from "effect"
import {
  PolicySpec,
  PositiveInt,
  RuntimeProfile,
  SandboxProfile,
  withDefault,
} from "../domain/index.ts"

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
})

export const DaytonaConfig = Schema.Struct({
  apiUrl: HttpUrl,
  apiKey: SecretRef,
  target: Schema.NonEmptyString,
})

export const SandboxConfig = Schema.Struct({
  ...SandboxProfile.fields,
  daytona: Schema.optionalKey(DaytonaConfig),
})

export const PiConfig = Schema.Struct({
  ...RuntimeProfile.fields,
  /** The OpenAI-compatible endpoint PatchPlane's model gateway forwards to. */
  upstream: Schema.optionalKey(
    Schema.Struct({ baseUrl: HttpUrl, apiKey: Schema.optionalKey(SecretRef) }),
  ),
})

export const PatchPlaneConfig = Schema.Struct({
  $schema: Schema.optionalKey(Schema.String),
  server: ServerConfig.pipe(withDefault({})),
  database: DatabaseConfig.pipe(withDefault({})),
  github: Schema.optionalKey(GitHubConfig),
  sandbox: SandboxConfig.pipe(withDefault({})),
  runtime: Schema.Struct({ pi: PiConfig.pipe(withDefault({})) }).pipe(withDefault({})),
  /** Defaults for every repo; a repo's .github/patchplane.yml overrides them. */
  policy: PolicySpec.pipe(withDefault({})),
})
export type PatchPlaneConfig = typeof PatchPlaneConfig.Type
