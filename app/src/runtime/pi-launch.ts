// How Pi is started inside a sandbox: the command line, the per-session
// config directory, and the launch plan the in-sandbox launcher
// (pi-launcher.mjs) carries out. Pure functions of the session's settings, so
// what Pi may read and contact can be checked in one place:
// - `--offline`, PI_OFFLINE=1, no extensions/skills/templates/themes, no
//   session file: nothing is fetched or phoned home; the model endpoint is
//   the only address Pi talks to, and it is the PatchPlane gateway;
// - its config lives in a per-session directory (PI_CODING_AGENT_DIR) and
//   HOME is a per-session temp directory: nothing of the host's or the
//   sandbox user's ~/.pi is read;
// - the repository's AGENTS.md/CLAUDE.md only with PolicySpec.agent.readAgentsMd;
//   its .pi/SYSTEM.md and .pi/APPEND_SYSTEM.md (text the repo controls that
//   would replace or extend the system prompt) never;
// - the model "key" is the per-run gateway token, written to a 0600 file.
import { readFileSync } from "node:fs"
import { dirname, join, relative, sep } from "node:path"
import { fileURLToPath } from "node:url"
import { runTokenPattern } from "./gateway-token.ts"

export interface PiInstall {
  /** The host's node_modules holding Pi and its dependencies (bound read-only). */
  readonly hostNodeModules: string
  /** Pi's cli.js relative to that node_modules. */
  readonly cliRelative: string
}

/** Pi as installed with this app (npm dependency `@mariozechner/pi-coding-agent`). */
export const locatePiInstall = (): PiInstall => {
  const entry = fileURLToPath(import.meta.resolve("@mariozechner/pi-coding-agent"))
  // …/node_modules/@mariozechner/pi-coding-agent/dist/index.js
  const packageDir = dirname(dirname(entry))
  const marker = `${sep}node_modules${sep}`
  const at = packageDir.lastIndexOf(marker)
  if (at === -1)
    throw new Error(`Pi is not installed under a node_modules directory: ${packageDir}`)
  const hostNodeModules = packageDir.slice(0, at + marker.length - 1)
  return {
    hostNodeModules,
    cliRelative: relative(hostNodeModules, join(packageDir, "dist", "cli.js")),
  }
}

/**
 * The Pi version this app pins (its npm dependency): what a Daytona image
 * must carry, since events and RPC commands are mapped for exactly it.
 */
export const pinnedPiVersion = (): string => {
  const entry = fileURLToPath(import.meta.resolve("@mariozechner/pi-coding-agent"))
  const manifest = JSON.parse(
    readFileSync(join(dirname(dirname(entry)), "package.json"), "utf8"),
  ) as { version?: unknown }
  if (typeof manifest.version !== "string") throw new Error("Pi's package.json has no version")
  return manifest.version
}

/** Where the installed Pi appears inside a local sandbox. */
export const sandboxNodeModules = "/opt/patchplane/node_modules"
/** Where the gateway socket's directory appears inside a local sandbox. */
export const sandboxGatewayDir = "/run/patchplane-gateway"

export interface ModelSettings {
  readonly id: string
  readonly contextWindow: number
  readonly maxTokens: number
  /** US dollars per million tokens, for Pi's own accounting (the gateway's is authoritative). */
  readonly inputUsdPerMTok: number
  readonly outputUsdPerMTok: number
}

/** What every runtime's launch plan is made of, whichever runtime it starts. */
export interface AgentLaunchSettings {
  readonly sessionId: string
  /** The checkout the agent works in. */
  readonly cwd: string
  /** The per-run gateway token. */
  readonly token: string
  /** Relay 127.0.0.1:<port> → this socket inside the sandbox (local sandbox without network). */
  readonly relay: { readonly port: number; readonly socketPath: string } | null
  readonly readAgentsMd: boolean
  /** Appended to the agent's system prompt. */
  readonly instructions: string
}

export interface PiLaunchSettings extends AgentLaunchSettings {
  /**
   * How Pi starts inside the sandbox: `node <cli.js>` for the bound install of
   * a local sandbox, or the image's command (`pi`) on Daytona.
   */
  readonly piCommand: ReadonlyArray<string>
  /** Provider name inside Pi's config. */
  readonly provider: string
  readonly model: ModelSettings
  /** OpenAI-compatible base URL of the gateway as seen from inside the sandbox. */
  readonly gatewayBaseUrl: string
}

export interface LaunchPlan {
  readonly dirs: ReadonlyArray<string>
  readonly files: ReadonlyArray<{ readonly path: string; readonly content: string }>
  readonly relay: { readonly port: number; readonly socketPath: string } | null
  readonly command: ReadonlyArray<string>
  readonly cwd: string
  readonly env: Readonly<Record<string, string>>
}

export const defaultInstructions = [
  "You are running inside PatchPlane, in a sandbox with a checkout of the repository as your working directory.",
  "Make the requested change by editing files in the working tree. Do not commit, push or create branches: PatchPlane commits your changes and opens the pull request.",
  "There is no network access. Run the project's tests when they exist and can run offline.",
  "Finish with a short summary of what you changed and why.",
].join("\n")

/** Session directories live under /tmp: a private tmpfs per local sandbox process. */
export const sessionDirs = (sessionId: string) => {
  const root = `/tmp/patchplane-pi-${sessionId.replace(/[^\w-]/g, "")}`
  return { root, agentDir: `${root}/agent`, home: `${root}/home` }
}

export const piArgs = (settings: PiLaunchSettings): Array<string> => [
  "--mode",
  "rpc",
  "--no-session",
  "--offline",
  "--provider",
  settings.provider,
  "--model",
  settings.model.id,
  "--no-extensions",
  "--no-skills",
  "--no-prompt-templates",
  "--no-themes",
  ...(settings.readAgentsMd ? [] : ["--no-context-files"]),
  // An explicit (empty) system prompt keeps Pi's built-in one but stops it
  // from reading the repo's .pi/SYSTEM.md; an explicit append stops
  // .pi/APPEND_SYSTEM.md.
  "--system-prompt",
  "",
  "--append-system-prompt",
  settings.instructions,
]

export const piModelsJson = (settings: PiLaunchSettings) => ({
  providers: {
    [settings.provider]: {
      baseUrl: settings.gatewayBaseUrl,
      api: "openai-completions",
      apiKey: settings.token,
      compat: { supportsDeveloperRole: false, supportsUsageInStreaming: true },
      models: [
        {
          id: settings.model.id,
          name: settings.model.id,
          reasoning: false,
          input: ["text"],
          contextWindow: settings.model.contextWindow,
          maxTokens: settings.model.maxTokens,
          cost: {
            input: settings.model.inputUsdPerMTok,
            output: settings.model.outputUsdPerMTok,
            cacheRead: 0,
            cacheWrite: 0,
          },
        },
      ],
    },
  },
})

/**
 * Pi's settings: retries belong to the gateway (a refused call must not be
 * retried by Pi's agent loop or by its HTTP client), no telemetry.
 */
export const piSettingsJson = () => ({
  retry: { enabled: false, provider: { maxRetries: 0 } },
  enableInstallTelemetry: false,
})

export const launchPlan = (settings: PiLaunchSettings): LaunchPlan => {
  // Pi reads "!…" as a shell command and a variable name as an env lookup.
  if (!runTokenPattern.test(settings.token))
    throw new Error("the gateway token has an unexpected format; refusing to hand it to Pi")
  const dirs = sessionDirs(settings.sessionId)
  return {
    dirs: [dirs.agentDir, dirs.home],
    files: [
      { path: `${dirs.agentDir}/models.json`, content: JSON.stringify(piModelsJson(settings)) },
      { path: `${dirs.agentDir}/settings.json`, content: JSON.stringify(piSettingsJson()) },
    ],
    relay: settings.relay,
    command: [...settings.piCommand, ...piArgs(settings)],
    cwd: settings.cwd,
    env: {
      HOME: dirs.home,
      PI_CODING_AGENT_DIR: dirs.agentDir,
      PI_OFFLINE: "1",
      PI_SKIP_VERSION_CHECK: "1",
      PI_TELEMETRY: "0",
    },
  }
}

let launcherSource: string | undefined

/** The sandbox command that runs the launcher; the plan goes on its stdin's first line. */
export const launcherCommand = (): Array<string> => {
  launcherSource ??= readFileSync(new URL("./pi-launcher.mjs", import.meta.url), "utf8")
  return ["node", "--input-type=module", "-e", launcherSource]
}
