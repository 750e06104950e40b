import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Cause, Effect, Exit, Redacted } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { ConfigError, loadConfig, type LoadConfigOptions } from "../src/config/load-config.ts"
import { type AgentChoices, decodeRepoPolicy, piOnly } from "@patchplane/policy"
import { DecodeError, decodeSyncWith, PolicySpec } from "@patchplane/domain"

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "pp-config-"))
})
afterEach(() => rm(dir, { recursive: true, force: true }))

const load = (env: LoadConfigOptions["env"] = {}) =>
  Effect.runPromise(loadConfig({ cwd: dir, env }))

const loadError = async (env: LoadConfigOptions["env"] = {}): Promise<ConfigError> => {
  const exit = await Effect.runPromiseExit(loadConfig({ cwd: dir, env }))
  if (Exit.isSuccess(exit)) throw new Error("expected the config to be refused")
  const error = Cause.squash(exit.cause)
  if (!(error instanceof ConfigError)) throw new Error(String(exit))
  return error
}

const write = (name: string, body: unknown) =>
  writeFile(join(dir, name), typeof body === "string" ? body : JSON.stringify(body))

describe("loading patchplane.config.json", () => {
  it("runs on embedded defaults without a file and says what is unconfigured", async () => {
    const config = await load()
    expect(config.source).toBeNull()
    expect(config.server).toEqual({
      host: "127.0.0.1",
      port: 3000,
      logLevel: "info",
      logFormat: "auto",
    })
    expect(config.database.url).toBeNull()
    expect(config.database.embedded.dataDir).toBe(".patchplane/postgres")
    expect(config.github).toBeNull()
    expect(config.sandbox.backend).toBe("local")
    expect(config.unconfigured).toEqual([
      "GitHub App (github)",
      "model provider (runtime.pi.upstream)",
    ])
  })

  it("reads the documented keys and resolves env, file and literal secrets", async () => {
    await write("key.pem", "-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----\n")
    await write("patchplane.config.json", {
      server: { port: 3100 },
      database: { url: { env: "MY_DB" } },
      github: {
        appId: 1,
        privateKey: { file: "key.pem" },
        webhookSecret: { env: "PATCHPLANE_WEBHOOK_SECRET" },
        apiUrl: "https://ghe.example.com/api/v3",
      },
      sandbox: { backend: "local" },
      runtime: {
        pi: {
          model: "gpt-test",
          upstream: { baseUrl: "https://models.example.com/v1", apiKey: { env: "MODEL_KEY" } },
        },
      },
    })
    const config = await load({
      MY_DB: "postgres://u:p@db:5432/pp",
      PATCHPLANE_WEBHOOK_SECRET: "s3cret",
      MODEL_KEY: "sk-model",
    })
    expect(config.server.port).toBe(3100)
    expect(Redacted.value(config.database.url!)).toBe("postgres://u:p@db:5432/pp")
    expect(config.github?.appId).toBe(1)
    expect(config.github?.apiUrl).toBe("https://ghe.example.com/api/v3")
    expect(Redacted.value(config.github!.webhookSecret)).toBe("s3cret")
    expect(Redacted.value(config.github!.privateKey)).toContain("BEGIN RSA PRIVATE KEY")
    expect(config.runtime.pi.model).toBe("gpt-test")
    expect(Redacted.value(config.modelUpstream!.apiKey!)).toBe("sk-model")
    expect(config.unconfigured).toEqual([])
    // secrets never print
    expect(String(config.github!.webhookSecret)).not.toContain("s3cret")
    expect(JSON.stringify(config)).not.toContain("s3cret")
  })

  it("names the path and reason of every bad field", async () => {
    await write("patchplane.config.json", {
      server: { port: 70_000 },
      github: { appId: "one", webhookSecret: { env: "X" } },
      sandbox: { backend: "docker" },
      policy: { reviewers: { lint: { weight: 2 } } },
      unknownSection: true,
    })
    const error = await loadError()
    const byPath = Object.fromEntries(error.issues.map((i) => [i.path, i.message]))
    expect(byPath["server.port"]).toMatch(/between 0 and 65535/)
    expect(byPath["github.appId"]).toMatch(/Expected number/)
    expect(byPath["github.privateKey"]).toMatch(/Missing key/)
    expect(byPath["sandbox.backend"]).toMatch(/"local" \| "daytona"/)
    expect(byPath["policy.reviewers.lint.weight"]).toMatch(/between 0 and 1/)
    expect(byPath["unknownSection"]).toMatch(/excess property/)
    expect(error.message).toContain(join(dir, "patchplane.config.json"))
    expect(error.message).toMatch(/- server\.port: /)
  })

  it("reads how each agent starts in a Daytona image: runtime.pi.remote and runtime.claudeCode.remote", async () => {
    await write("patchplane.config.json", {
      runtime: { pi: { remote: { snapshot: "patchplane-agents" } }, claudeCode: { remote: {} } },
    })
    const config = await load()
    expect(config.runtime.pi.remote).toEqual({ command: ["pi"], snapshot: "patchplane-agents" })
    // The gateway URL defaults to <server.publicUrl>/api/model-gateway when the runs start.
    expect(config.runtime.claudeCode.remote).toEqual({ binaryPath: "claude" })
    await write("patchplane.config.json", {
      runtime: {
        claudeCode: {
          remote: { binaryPath: "/usr/local/bin/claude", gatewayUrl: "https://pp.example.com/gw" },
        },
      },
    })
    expect((await load()).runtime.claudeCode.remote).toEqual({
      binaryPath: "/usr/local/bin/claude",
      gatewayUrl: "https://pp.example.com/gw",
    })
    await write("patchplane.config.json", {
      runtime: { claudeCode: { remote: { binaryPath: "", gatewayUrl: "pp.example.com" } } },
    })
    expect((await loadError()).issues.map((issue) => issue.path)).toEqual([
      "runtime.claudeCode.remote.binaryPath",
      "runtime.claudeCode.remote.gatewayUrl",
    ])
  })

  it("reports a missing secret by its config path, never by its value", async () => {
    await write("patchplane.config.json", {
      github: { appId: 7, privateKey: { file: "nope.pem" }, webhookSecret: { env: "UNSET_VAR" } },
    })
    const error = await loadError()
    expect(error.issues).toEqual([
      { path: "github.privateKey", message: `cannot read file ${join(dir, "nope.pem")} (ENOENT)` },
      { path: "github.webhookSecret", message: "environment variable UNSET_VAR is not set" },
    ])
  })

  it("says where JSON is broken", async () => {
    await write("patchplane.config.json", '{ "server": { "port": 3000, } }')
    const error = await loadError()
    expect(error.issues[0]?.path).toBe("(root)")
    expect(error.issues[0]?.message).toMatch(/not valid JSON/)
  })

  it("reads YAML, honours PATCHPLANE_CONFIG, PORT and DATABASE_URL", async () => {
    await write("elsewhere.yaml", "server:\n  port: 4000\n  host: 0.0.0.0\n")
    const config = await load({
      PATCHPLANE_CONFIG: "elsewhere.yaml",
      PORT: "4100",
      DATABASE_URL: "postgres://127.0.0.1/x",
    })
    expect(config.source).toBe(join(dir, "elsewhere.yaml"))
    expect(config.server).toEqual({
      host: "0.0.0.0",
      port: 4100,
      logLevel: "info",
      logFormat: "auto",
    })
    expect(Redacted.value(config.database.url!)).toBe("postgres://127.0.0.1/x")
  })

  it("refuses a PORT that is not a port and a PATCHPLANE_CONFIG that does not exist", async () => {
    expect((await loadError({ PORT: "http" })).issues).toEqual([
      { path: "PORT", message: 'Expected a port number 0-65535, got "http"' },
    ])
    const missing = await loadError({ PATCHPLANE_CONFIG: "missing.json" })
    expect(missing.issues[0]?.message).toMatch(/PATCHPLANE_CONFIG names a file that cannot be read/)
  })

  it("points at the YAML error", async () => {
    await write("patchplane.config.yaml", "server:\n  port: [3000\n")
    const error = await loadError()
    expect(error.issues[0]?.message).toMatch(/not valid YAML/)
  })
})

describe("a repo's .github/patchplane.yml", () => {
  const defaults = decodeSyncWith(PolicySpec, "defaults")({ passScore: 0.7 })

  it("overrides the config's defaults key by key", async () => {
    const policy = await Effect.runPromise(
      decodeRepoPolicy(
        "passScore: 0.9\nbudgets:\n  maxTurns: 5\nreviewers:\n  tests: { weight: 1, required: true }\n",
        defaults,
      ),
    )
    expect(policy.passScore).toBe(0.9)
    expect(policy.budgets).toEqual({
      maxTokens: 2_000_000,
      maxCostUsd: 10,
      maxTurns: 5,
      turnTimeoutSeconds: 600,
      runTimeoutSeconds: 3600,
    })
    expect(policy.reviewers).toEqual({ tests: { weight: 1, required: true, minScore: 0.5 } })
    expect(policy.approvalMode).toBe("escalate")
  })

  it("keeps the config's defaults for an empty file", async () => {
    const policy = await Effect.runPromise(decodeRepoPolicy("", defaults))
    expect(policy).toEqual(defaults)
  })

  it("names the bad field", async () => {
    const exit = await Effect.runPromiseExit(
      decodeRepoPolicy("approvalMode: yolo\nsandbox:\n  network: all\n", defaults),
    )
    expect(String(exit)).toContain("approvalMode")
    expect(String(exit)).toContain("sandbox.network")
  })
})

describe("a repo's choice of agent runtime and model", () => {
  const defaults = decodeSyncWith(PolicySpec, "defaults")({})
  const choices = { runtimes: ["pi", "claude-code"], models: ["claude-sonnet-4-5", "gpt-5"] }
  const refusal = async (text: string, allowed: AgentChoices = choices) => {
    const exit = await Effect.runPromiseExit(
      decodeRepoPolicy(text, defaults, ".github/patchplane.yml", allowed),
    )
    if (exit._tag !== "Failure") throw new Error("expected a refusal")
    const error = Cause.squash(exit.cause)
    if (!(error instanceof DecodeError)) throw error
    return error.issues
  }

  it("defaults to Pi on the runtime's configured model", async () => {
    const policy = await Effect.runPromise(decodeRepoPolicy("", defaults))
    expect(policy.agent).toEqual({ readAgentsMd: false, runtime: "pi" })
  })

  it("takes a runtime and a model the config allows", async () => {
    const policy = await Effect.runPromise(
      decodeRepoPolicy(
        "agent:\n  runtime: claude-code\n  model: claude-sonnet-4-5\n",
        defaults,
        ".github/patchplane.yml",
        choices,
      ),
    )
    expect(policy.agent).toEqual({
      readAgentsMd: false,
      runtime: "claude-code",
      model: "claude-sonnet-4-5",
    })
  })

  it("refuses a runtime outside the allow-list, naming agent.runtime", async () => {
    const issues = await refusal("agent:\n  runtime: claude-code\n", piOnly)
    expect(issues).toEqual([
      {
        path: "agent.runtime",
        message:
          'the runtime "claude-code" is not allowed here (allowed: "pi"; runtime.allowed.runtimes in the PatchPlane config)',
      },
    ])
  })

  it("refuses a model outside the allow-list, naming agent.model", async () => {
    const issues = await refusal("agent:\n  runtime: pi\n  model: o3-pro\n")
    expect(issues.map((issue) => issue.path)).toEqual(["agent.model"])
    expect(issues[0]?.message).toContain('"o3-pro" is not allowed')
  })

  it("the config's allow-list: runtime.allowed plus each runtime's own model; its own policy is checked too", async () => {
    await write(
      "patchplane.config.json",
      JSON.stringify({
        runtime: {
          pi: { model: "gpt-5" },
          claudeCode: { model: "claude-sonnet-4-5" },
          allowed: { runtimes: ["pi", "claude-code"], models: ["claude-opus-4-1"] },
        },
      }),
    )
    const config = await load()
    expect(config.agentChoices).toEqual({
      runtimes: ["pi", "claude-code"],
      models: ["claude-opus-4-1", "gpt-5", "claude-sonnet-4-5"],
    })
    await write(
      "patchplane.config.json",
      JSON.stringify({
        runtime: { allowed: { runtimes: ["pi", "codex"] } },
        policy: { agent: { runtime: "claude-code" } },
      }),
    )
    const error = await loadError()
    expect(error.issues.map((issue) => issue.path)).toEqual(["runtime.allowed.runtimes[1]"])
    await write(
      "patchplane.config.json",
      JSON.stringify({ policy: { agent: { runtime: "claude-code" } } }),
    )
    expect((await loadError()).issues.map((issue) => issue.path)).toEqual(["policy.agent.runtime"])
  })
})
