// The Pi coding agent behind the RuntimeAdapter contract. Pi runs inside the
// run's sandbox in RPC mode (JSON lines over stdin/stdout): started through
// the in-sandbox launcher (pi-launch.ts), with the installed npm package bound
// read-only into local sandboxes (nothing is fetched at run time), and with
// the model gateway as its only model endpoint, reached through a per-session
// unix socket when the sandbox has no network.
import { Effect, Redacted } from "effect"
import { ExecutionAdapter } from "../execution/execution-adapter.ts"
import type { ExecutionAdapterShape, ProcessBind, SandboxHandle } from "../execution/index.ts"
import { serveGatewaySocket } from "./gateway-relay.ts"
import { ModelGateway } from "./model-gateway.ts"
import { defaultMapperLimits, type PiMapperLimits } from "./pi-events.ts"
import {
  defaultInstructions,
  launchPlan,
  launcherCommand,
  locatePiInstall,
  pinnedPiVersion,
  type ModelSettings,
  type PiInstall,
  sandboxGatewayDir,
  sandboxNodeModules,
} from "./pi-launch.ts"
import { makePiSession, type PiSession } from "./pi-session.ts"
import { RuntimeError } from "./runtime-errors.ts"
import { makeSessionTable } from "./session-table.ts"
import type { RuntimeAdapterShape, RuntimeSessionHandle } from "./runtime-types.ts"

export interface PiRuntimeOptions {
  /** The model Pi asks the gateway for, and its limits (RuntimeProfile.model overrides the id). */
  readonly model?: Partial<ModelSettings>
  /** Provider name inside Pi's config (RuntimeProfile.provider). */
  readonly provider?: string
  /** Pi on the host, bound into local sandboxes (default: the app's own npm dependency). */
  readonly install?: PiInstall
  /**
   * For sandboxes that cannot bind host paths (Daytona): the command that
   * starts Pi in the image (`["pi"]`), the gateway URL the sandbox reaches
   * (`https://<publicUrl>/api/model-gateway/v1`), and the version `pi
   * --version` must print (default: the version this app pins).
   */
  readonly remote?: {
    readonly command: ReadonlyArray<string>
    readonly gatewayBaseUrl: string
    readonly expectedVersion?: string
  }
  /** Port of the in-sandbox relay to the gateway socket (default 47823). */
  readonly relayPort?: number
  /** Host directory for the gateway sockets (default: the OS temp dir). */
  readonly socketBaseDir?: string
  /** Appended to Pi's system prompt. */
  readonly instructions?: string
  readonly limits?: Partial<PiMapperLimits>
  /** How long Pi may take to start (default 60 s). */
  readonly startupTimeoutSeconds?: number
  readonly abortGraceMs?: number
  readonly exitGraceMs?: number
}

const defaultModel: ModelSettings = {
  id: "default",
  contextWindow: 128_000,
  maxTokens: 16_384,
  inputUsdPerMTok: 0,
  outputUsdPerMTok: 0,
}

/** Token validity beyond the run timeout, so the last call of a run is not cut off. */
const tokenGraceMs = 60_000

/**
 * Pi is part of a remote sandbox's image, not bound in: before the session,
 * `pi --version` must answer the version PatchPlane maps events for.
 */
const checkPiVersion = (
  execution: ExecutionAdapterShape,
  sandbox: SandboxHandle,
  command: ReadonlyArray<string>,
  expected: string,
) =>
  Effect.gen(function* () {
    const shown = command.join(" ")
    const result = yield* execution
      .exec(sandbox, [...command, "--version"], { timeoutSeconds: 60 })
      .pipe(
        Effect.mapError(
          (error) => `cannot run \`${shown} --version\` in the sandbox: ${error.message}`,
        ),
      )
    const output = `${result.stdout}${result.stderr}`.trim()
    if (result.exitCode !== 0)
      return yield* Effect.fail(
        `Pi is missing from the sandbox image: \`${shown} --version\` exited with ${result.exitCode ?? "a signal"}` +
          `${output === "" ? "" : ` (${output.slice(-300)})`}. Build the image from app/src/execution/daytona/Dockerfile ` +
          `and set runtime.pi.remote (see docs/daytona.md)`,
      )
    const version = /\d+\.\d+\.\d+\S*/.exec(output)?.[0]
    if (version !== expected)
      return yield* Effect.fail(
        `the sandbox image has Pi ${version ?? `(unrecognised: ${output.slice(0, 100)})`}, but PatchPlane needs Pi ${expected}; ` +
          "rebuild the image from app/src/execution/daytona/Dockerfile",
      )
  })

export const makePiRuntime = (options: PiRuntimeOptions = {}) =>
  Effect.gen(function* () {
    const execution = yield* ExecutionAdapter
    const gateway = yield* ModelGateway
    const install = options.install ?? locatePiInstall()
    const sessions = makeSessionTable<PiSession>()
    const limits = { ...defaultMapperLimits, ...options.limits }
    const timing = {
      abortGraceMs: options.abortGraceMs ?? 1500,
      exitGraceMs: options.exitGraceMs ?? 2000,
      commandTimeoutMs: 15_000,
    }

    const startSession: RuntimeAdapterShape["startSession"] = (request) =>
      Effect.gen(function* () {
        const scope = yield* Effect.scope
        const { sandbox, budget } = request
        const startFailed = (message: string) =>
          new RuntimeError({ operation: "start", sessionId: request.sessionId, message })
        if (sessions.has(request.sessionId))
          return yield* startFailed("this session is already running")
        if (request.runtime !== undefined && request.runtime !== "pi")
          return yield* startFailed(`this adapter runs Pi, not "${request.runtime}"`)
        const startedAt = new Date()
        const token = gateway.issueRunToken({
          runId: request.runId,
          sessionId: request.sessionId,
          expiresAt: new Date(startedAt.getTime() + budget.runTimeoutSeconds * 1000 + tokenGraceMs),
          budget: { maxTokens: budget.maxTokens, maxCostUsd: budget.maxCostUsd },
        })

        const relayPort = options.relayPort ?? 47823
        let binds: Array<ProcessBind> = []
        let piCommand: ReadonlyArray<string>
        let gatewayBaseUrl: string
        let relay: { port: number; socketPath: string } | null = null
        if (sandbox.backend === "local") {
          const socket = yield* serveGatewaySocket(gateway, options.socketBaseDir).pipe(
            Effect.mapError((error) => startFailed(error.message)),
          )
          binds = [
            { hostPath: install.hostNodeModules, sandboxPath: sandboxNodeModules },
            { hostPath: socket.hostDir, sandboxPath: sandboxGatewayDir },
          ]
          piCommand = ["node", `${sandboxNodeModules}/${install.cliRelative}`]
          gatewayBaseUrl = `http://127.0.0.1:${relayPort}${gateway.basePath}/v1`
          relay = { port: relayPort, socketPath: `${sandboxGatewayDir}/${socket.socketName}` }
        } else {
          if (options.remote === undefined)
            return yield* startFailed(
              `the Pi runtime needs runtime options "remote" (command, gatewayBaseUrl) for ${sandbox.backend} sandboxes`,
            )
          piCommand = options.remote.command
          gatewayBaseUrl = options.remote.gatewayBaseUrl
          yield* checkPiVersion(
            execution,
            sandbox,
            piCommand,
            options.remote.expectedVersion ?? pinnedPiVersion(),
          ).pipe(Effect.mapError((message) => startFailed(message)))
        }

        const modelId = request.model ?? options.model?.id ?? defaultModel.id
        const plan = yield* Effect.try({
          try: () =>
            launchPlan({
              sessionId: request.sessionId,
              piCommand,
              cwd: request.cwd,
              provider: options.provider ?? "patchplane-gateway",
              model: {
                ...defaultModel,
                ...options.model,
                id: modelId,
              },
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
            // The run's own timers stop Pi first; this is the backstop.
            timeoutSeconds: budget.runTimeoutSeconds + 60,
          })
          .pipe(
            Effect.mapError((error) =>
              startFailed(`cannot start Pi in the sandbox: ${error.message}`),
            ),
          )
        yield* process
          .write(`${JSON.stringify(plan)}\n`)
          .pipe(Effect.mapError((error) => startFailed(error.message)))

        const handle: RuntimeSessionHandle = {
          id: request.sessionId,
          runId: request.runId,
          adapter: "pi",
          sandboxId: sandbox.id,
          startedAt,
        }
        const session = yield* makePiSession({
          handle,
          process,
          budget,
          sink: request.onEvent,
          limits,
          timing,
          scope,
          revokeModelAccess: () => gateway.revokeSession(handle.id),
          model: modelId,
        })
        yield* sessions.open(handle, session, (options.startupTimeoutSeconds ?? 60) * 1000)
        return handle
      })

    const adapter: RuntimeAdapterShape = {
      id: "pi",
      startSession,
      ...sessions.delegate,
      respondToApproval: (handle, approvalId, decision) =>
        Effect.flatMap(sessions.lookup("approval", handle), (session) =>
          session.respondToApproval(approvalId, decision.approved),
        ),
    }
    return adapter
  })
