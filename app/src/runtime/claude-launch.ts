// How Claude Code is started inside a sandbox: its command line, environment
// and per-session files, as a launch plan for the same in-sandbox launcher
// Pi uses (pi-launcher.mjs). Pure functions of the session's settings, so
// what Claude Code may read and contact can be checked in one place:
// - the model endpoint is the PatchPlane gateway (ANTHROPIC_BASE_URL), and
//   telemetry, error reporting, the auto-updater and every other
//   "nonessential" call are switched off by their documented variables;
// - `--bare`: no hooks, plugins, auto-memory, background prefetches, keychain
//   or CLAUDE.md discovery, so nothing the repository (or a home directory)
//   holds configures the agent; only the built-in Bash, Edit and Read tools;
// - HOME and CLAUDE_CONFIG_DIR are per-session temp directories;
// - the model "key" is the per-run gateway token, in a 0600 file read by an
//   `apiKeyHelper` (never in argv or the environment); retries are the
//   gateway's (CLAUDE_CODE_MAX_RETRIES=0), so a refused call is not repeated.
import { readFileSync } from "node:fs"
import { dirname } from "node:path"
import { fileURLToPath } from "node:url"
import { runTokenPattern } from "./gateway-token.ts"
import type { AgentLaunchSettings, LaunchPlan } from "./pi-launch.ts"

export interface ClaudeInstall {
  /** Host directory holding the native `claude` binary (bound read-only). */
  readonly hostDir: string
  readonly binaryName: string
}

/**
 * The native binary npm installed with the app: `@anthropic-ai/claude-code`
 * ships it in a platform package (optionalDependencies), which is run
 * directly; the wrapper's postinstall (which only copies it) is not needed.
 */
export const locateClaudeInstall = (): ClaudeInstall => {
  const platform = `${process.platform}-${process.arch}`
  const manifest = `@anthropic-ai/claude-code-${platform}/package.json`
  let resolved: string
  try {
    resolved = fileURLToPath(import.meta.resolve(manifest))
  } catch {
    throw new Error(
      `Claude Code has no native build installed for ${platform} (npm package @anthropic-ai/claude-code-${platform})`,
    )
  }
  return {
    hostDir: dirname(resolved),
    binaryName: process.platform === "win32" ? "claude.exe" : "claude",
  }
}

/**
 * The Claude Code version this app pins (its npm dependency): what a Daytona
 * image must carry, since its stream-json lines are mapped for exactly it.
 */
export const pinnedClaudeVersion = (): string => {
  const manifest = JSON.parse(
    readFileSync(
      fileURLToPath(import.meta.resolve("@anthropic-ai/claude-code/package.json")),
      "utf8",
    ),
  ) as { version?: unknown }
  if (typeof manifest.version !== "string")
    throw new Error("Claude Code's package.json has no version")
  return manifest.version
}

/** Where the binary's directory appears inside a local sandbox. */
export const sandboxClaudeDir = "/opt/patchplane/claude-code"

/** The built-in tools the agent gets: shell, file edits (which also create files), reads. */
export const claudeTools = ["Bash", "Edit", "Read"] as const

export interface ClaudeLaunchSettings extends AgentLaunchSettings {
  /** The `claude` binary inside the sandbox. */
  readonly binaryPath: string
  readonly model: string
  /** The gateway's base as seen from inside the sandbox, without `/v1` (Claude Code appends `/v1/messages`). */
  readonly gatewayBaseUrl: string
}

/** Session directories live under /tmp: a private tmpfs per local sandbox process. */
export const claudeSessionDirs = (sessionId: string) => {
  const root = `/tmp/patchplane-claude-${sessionId.replace(/[^\w-]/g, "")}`
  return { root, config: `${root}/config`, home: `${root}/home`, secret: `${root}/secret` }
}

/** `--bare` skips CLAUDE.md discovery; the policy's readAgentsMd asks the agent to read them itself. */
export const agentsMdInstruction =
  "Before you start, read AGENTS.md and CLAUDE.md at the repository root when they exist, and follow them."

export const claudeArgs = (settings: ClaudeLaunchSettings, settingsPath: string): Array<string> => [
  "-p",
  "--bare",
  "--input-format",
  "stream-json",
  "--output-format",
  "stream-json",
  "--verbose",
  // Raw stream events too: they carry each model call's start and usage.
  "--include-partial-messages",
  "--model",
  settings.model,
  // The sandbox is the boundary: the agent acts without asking, as Pi does.
  "--permission-mode",
  "bypassPermissions",
  "--tools",
  claudeTools.join(","),
  "--settings",
  settingsPath,
  "--strict-mcp-config",
  "--disable-slash-commands",
  "--no-session-persistence",
  "--append-system-prompt",
  settings.readAgentsMd
    ? `${settings.instructions}\n${agentsMdInstruction}`
    : settings.instructions,
]

export const claudeEnv = (settings: ClaudeLaunchSettings): Record<string, string> => {
  const dirs = claudeSessionDirs(settings.sessionId)
  return {
    HOME: dirs.home,
    CLAUDE_CONFIG_DIR: dirs.config,
    ANTHROPIC_BASE_URL: settings.gatewayBaseUrl.replace(/\/+$/, ""),
    DISABLE_TELEMETRY: "1",
    DISABLE_ERROR_REPORTING: "1",
    DISABLE_AUTOUPDATER: "1",
    DISABLE_BUG_COMMAND: "1",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    CLAUDE_CODE_DISABLE_FEEDBACK_SURVEY: "1",
    CLAUDE_CODE_MAX_RETRIES: "0",
    // The sandbox user may map to root; Claude Code allows bypassPermissions there only when told it is sandboxed.
    IS_SANDBOX: "1",
  }
}

export const claudeLaunchPlan = (settings: ClaudeLaunchSettings): LaunchPlan => {
  // The token goes into a shell command (`cat <file>`) only by path, but check it anyway.
  if (!runTokenPattern.test(settings.token))
    throw new Error(
      "the gateway token has an unexpected format; refusing to hand it to Claude Code",
    )
  const dirs = claudeSessionDirs(settings.sessionId)
  const tokenPath = `${dirs.secret}/gateway-token`
  const settingsPath = `${dirs.secret}/settings.json`
  return {
    dirs: [dirs.config, dirs.home, dirs.secret],
    files: [
      { path: tokenPath, content: settings.token },
      { path: settingsPath, content: JSON.stringify({ apiKeyHelper: `cat ${tokenPath}` }) },
    ],
    relay: settings.relay,
    command: [settings.binaryPath, ...claudeArgs(settings, settingsPath)],
    cwd: settings.cwd,
    env: claudeEnv(settings),
  }
}
