// Claude Code behind the RuntimeAdapter contract: the second runtime, in the
// same sandbox and behind the same model gateway as Pi. Claude Code's native
// binary (npm `@anthropic-ai/claude-code`, installed with the app) is bound
// read-only into local sandboxes and started by the same in-sandbox launcher;
// it talks the Anthropic Messages protocol to the gateway (its `/v1/messages`
// route), through the per-session unix socket when the sandbox has no network.
// In a remote (Daytona) sandbox it comes from the image instead, at the pinned
// version, and reaches the gateway over HTTPS.
import { Effect } from "effect"
import { ExecutionAdapter } from "../execution/execution-adapter.ts"
import type { ProcessBind } from "../execution/index.ts"
import {
  type ClaudeInstall,
  claudeLaunchPlan,
  locateClaudeInstall,
  pinnedClaudeVersion,
  sandboxClaudeDir,
} from "./claude-launch.ts"
import { makeClaudeSession } from "./claude-session.ts"
import { defaultMapperLimits } from "./pi-events.ts"
import { RuntimeError } from "./runtime-errors.ts"
import type { RuntimeAdapterShape } from "./runtime-types.ts"
import {
  checkRemoteVersion,
  makeSandboxRuntime,
  type SandboxRuntimeOptions,
} from "./sandbox-runtime.ts"

export const claudeCodeAdapterId = "claude-code"

export interface ClaudeRuntimeOptions extends SandboxRuntimeOptions {
  /** The model Claude Code asks the gateway for when the request names none. */
  readonly model?: string
  /** The native binary on the host, bound into local sandboxes (default: the app's npm dependency). */
  readonly install?: ClaudeInstall
  /**
   * For sandboxes that cannot bind host paths (Daytona): the `claude` binary
   * inside the image, the gateway URL the sandbox reaches
   * (`https://<publicUrl>/api/model-gateway`), and the version `claude
   * --version` must print (default: the version this app pins).
   */
  readonly remote?: {
    readonly binaryPath: string
    readonly gatewayBaseUrl: string
    readonly expectedVersion?: string
  }
}

export const makeClaudeRuntime = (options: ClaudeRuntimeOptions = {}) =>
  Effect.gen(function* () {
    const execution = yield* ExecutionAdapter
    const limits = { ...defaultMapperLimits, ...options.limits }
    const timing = {
      abortGraceMs: options.abortGraceMs ?? 3000,
      exitGraceMs: options.exitGraceMs ?? 3000,
      commandTimeoutMs: 15_000,
    }
    let install = options.install

    const { startSession, sessions } = yield* makeSandboxRuntime({
      id: claudeCodeAdapterId,
      name: "Claude Code",
      options,
      launch: ({ request, settings, startFailed, localGateway }) =>
        Effect.gen(function* () {
          const { sandbox } = request
          let binds: Array<ProcessBind> = []
          let binaryPath: string
          let gatewayBaseUrl: string
          let relay: { port: number; socketPath: string } | null = null
          if (sandbox.backend === "local") {
            const host = yield* Effect.try({
              try: () => (install ??= locateClaudeInstall()),
              catch: (error) => startFailed(error instanceof Error ? error.message : String(error)),
            })
            const route = yield* localGateway
            binds = [{ hostPath: host.hostDir, sandboxPath: sandboxClaudeDir }, route.bind]
            binaryPath = `${sandboxClaudeDir}/${host.binaryName}`
            gatewayBaseUrl = route.baseUrl
            relay = route.relay
          } else {
            if (options.remote === undefined)
              return yield* startFailed(
                `the Claude Code runtime needs runtime options "remote" (binaryPath, gatewayBaseUrl) for ${sandbox.backend} sandboxes`,
              )
            binaryPath = options.remote.binaryPath
            gatewayBaseUrl = options.remote.gatewayBaseUrl.replace(/\/v1\/?$/, "")
            const expected = yield* Effect.try({
              try: () => options.remote?.expectedVersion ?? pinnedClaudeVersion(),
              catch: (error) => startFailed(error instanceof Error ? error.message : String(error)),
            })
            yield* checkRemoteVersion(execution, sandbox, {
              name: "Claude Code",
              command: [binaryPath],
              expected,
              configKey: "runtime.claudeCode.remote",
            }).pipe(Effect.mapError((message) => startFailed(message)))
          }

          const model = request.model ?? options.model ?? "default"
          return {
            binds,
            model,
            plan: () => claudeLaunchPlan({ ...settings, binaryPath, model, gatewayBaseUrl, relay }),
          }
        }),
      session: (input) => makeClaudeSession({ ...input, limits, timing }),
    })

    const adapter: RuntimeAdapterShape = {
      id: claudeCodeAdapterId,
      startSession,
      ...sessions.delegate,
      // bypassPermissions: Claude Code never asks, so there is nothing to answer.
      respondToApproval: (handle, approvalId) =>
        Effect.fail(
          new RuntimeError({
            operation: "approval",
            sessionId: handle.id,
            message: `no pending approval ${approvalId}: Claude Code runs without approval prompts in the sandbox`,
          }),
        ),
    }
    return adapter
  })
