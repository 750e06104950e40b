// Claude Code behind the RuntimeAdapter contract: the second runtime, in the
// same sandbox and behind the same model gateway as Pi. Claude Code's native
// binary (npm `@anthropic-ai/claude-code`, installed with the app) is bound
// read-only into local sandboxes and started by the same in-sandbox launcher;
// it talks the Anthropic Messages protocol to the gateway (its `/v1/messages`
// route), through the per-session unix socket when the sandbox has no network.
import { Effect, Redacted } from "effect"
import { ExecutionAdapter } from "../execution/execution-adapter.ts"
import type { ProcessBind } from "../execution/index.ts"
import {
  type ClaudeInstall,
  claudeLaunchPlan,
  locateClaudeInstall,
  sandboxClaudeDir,
} from "./claude-launch.ts"
import { type ClaudeSession, makeClaudeSession } from "./claude-session.ts"
import { serveGatewaySocket } from "./gateway-relay.ts"
import { ModelGateway } from "./model-gateway.ts"
import { defaultMapperLimits, type PiMapperLimits } from "./pi-events.ts"
import { defaultInstructions, launcherCommand, sandboxGatewayDir } from "./pi-launch.ts"
import { RuntimeError } from "./runtime-errors.ts"
import { makeSessionTable } from "./session-table.ts"
import type { RuntimeAdapterShape, RuntimeSessionHandle } from "./runtime-types.ts"

export const claudeCodeAdapterId = "claude-code"

export interface ClaudeRuntimeOptions {
  /** The model Claude Code asks the gateway for when the request names none. */
  readonly model?: string
  /** The native binary on the host, bound into local sandboxes (default: the app's npm dependency). */
  readonly install?: ClaudeInstall
  /**
   * For sandboxes that cannot bind host paths (Daytona): the `claude` binary
   * inside the image and the gateway URL the sandbox reaches (`…/api/model-gateway`).
   */
  readonly remote?: { readonly binaryPath: string; readonly gatewayBaseUrl: string }
  /** Port of the in-sandbox relay to the gateway socket (default 47823). */
  readonly relayPort?: number
  readonly socketBaseDir?: string
  /** Appended to Claude Code's system prompt. */
  readonly instructions?: string
  readonly limits?: Partial<PiMapperLimits>
  /** How long Claude Code may take to start (default 60 s). */
  readonly startupTimeoutSeconds?: number
  readonly abortGraceMs?: number
  readonly exitGraceMs?: number
}

const tokenGraceMs = 60_000

export const makeClaudeRuntime = (options: ClaudeRuntimeOptions = {}) =>
  Effect.gen(function* () {
    const execution = yield* ExecutionAdapter
    const gateway = yield* ModelGateway
    const sessions = makeSessionTable<ClaudeSession>()
    const limits = { ...defaultMapperLimits, ...options.limits }
    const timing = {
      abortGraceMs: options.abortGraceMs ?? 3000,
      exitGraceMs: options.exitGraceMs ?? 3000,
      commandTimeoutMs: 15_000,
    }
    let install = options.install

    const startSession: RuntimeAdapterShape["startSession"] = (request) =>
      Effect.gen(function* () {
        const scope = yield* Effect.scope
        const { sandbox, budget } = request
        const startFailed = (message: string) =>
          new RuntimeError({ operation: "start", sessionId: request.sessionId, message })
        if (sessions.has(request.sessionId))
          return yield* startFailed("this session is already running")
        if (request.runtime !== undefined && request.runtime !== claudeCodeAdapterId)
          return yield* startFailed(`this adapter runs Claude Code, not "${request.runtime}"`)
        const startedAt = new Date()
        const token = gateway.issueRunToken({
          runId: request.runId,
          sessionId: request.sessionId,
          expiresAt: new Date(startedAt.getTime() + budget.runTimeoutSeconds * 1000 + tokenGraceMs),
          budget: { maxTokens: budget.maxTokens, maxCostUsd: budget.maxCostUsd },
        })

        const relayPort = options.relayPort ?? 47823
        let binds: Array<ProcessBind> = []
        let binaryPath: string
        let gatewayBaseUrl: string
        let relay: { port: number; socketPath: string } | null = null
        if (sandbox.backend === "local") {
          const host = yield* Effect.try({
            try: () => (install ??= locateClaudeInstall()),
            catch: (error) => startFailed(error instanceof Error ? error.message : String(error)),
          })
          const socket = yield* serveGatewaySocket(gateway, options.socketBaseDir).pipe(
            Effect.mapError((error) => startFailed(error.message)),
          )
          binds = [
            { hostPath: host.hostDir, sandboxPath: sandboxClaudeDir },
            { hostPath: socket.hostDir, sandboxPath: sandboxGatewayDir },
          ]
          binaryPath = `${sandboxClaudeDir}/${host.binaryName}`
          gatewayBaseUrl = `http://127.0.0.1:${relayPort}${gateway.basePath}`
          relay = { port: relayPort, socketPath: `${sandboxGatewayDir}/${socket.socketName}` }
        } else {
          if (options.remote === undefined)
            return yield* startFailed(
              `the Claude Code runtime needs runtime options "remote" (binaryPath, gatewayBaseUrl) for ${sandbox.backend} sandboxes`,
            )
          binaryPath = options.remote.binaryPath
          gatewayBaseUrl = options.remote.gatewayBaseUrl.replace(/\/v1\/?$/, "")
        }

        const model = request.model ?? options.model ?? "default"
        const plan = yield* Effect.try({
          try: () =>
            claudeLaunchPlan({
              sessionId: request.sessionId,
              binaryPath,
              cwd: request.cwd,
              model,
              gatewayBaseUrl,
              token: Redacted.value(token),
              relay,
              readAgentsMd: request.readAgentsMd,
              instructions: options.instructions ?? defaultInstructions,
            }),
          catch: (error) => startFailed(String(error)),
        })

        const process = yield* execution
          .spawn(sandbox, launcherCommand(), {
            cwd: request.cwd,
            binds,
            timeoutSeconds: budget.runTimeoutSeconds + 60,
          })
          .pipe(
            Effect.mapError((error) =>
              startFailed(`cannot start Claude Code in the sandbox: ${error.message}`),
            ),
          )
        yield* process
          .write(`${JSON.stringify(plan)}\n`)
          .pipe(Effect.mapError((error) => startFailed(error.message)))

        const handle: RuntimeSessionHandle = {
          id: request.sessionId,
          runId: request.runId,
          adapter: claudeCodeAdapterId,
          sandboxId: sandbox.id,
          startedAt,
        }
        const session = yield* makeClaudeSession({
          handle,
          process,
          budget,
          sink: request.onEvent,
          limits,
          timing,
          scope,
          revokeModelAccess: () => gateway.revokeSession(handle.id),
          model,
        })
        yield* sessions.open(handle, session, (options.startupTimeoutSeconds ?? 60) * 1000)
        return handle
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
