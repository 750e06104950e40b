// How every agent runtime starts a session in the run's sandbox: refuse a
// second start of the same session or a request for another runtime, issue
// the session's gateway token, reach the gateway (in a local sandbox through
// a per-session unix socket the launcher relays to 127.0.0.1), start the
// in-sandbox launcher with the runtime's launch plan on its first stdin line,
// and keep the session until the run's scope closes (session-table.ts). Where
// the runtime's program lives and what its plan holds is its own
// (pi-runtime.ts, claude-runtime.ts).
import { Effect, Redacted, type Scope } from "effect"
import { ExecutionAdapter } from "../execution/execution-adapter.ts"
import type { ExecutionAdapterShape, ProcessBind, SandboxHandle } from "../execution/index.ts"
import { serveGatewaySocket } from "./gateway-relay.ts"
import { ModelGateway } from "./model-gateway.ts"
import type { PiMapperLimits } from "./pi-events.ts"
import {
  type AgentLaunchSettings,
  defaultInstructions,
  type LaunchPlan,
  launcherCommand,
  sandboxGatewayDir,
} from "./pi-launch.ts"
import { RuntimeError } from "./runtime-errors.ts"
import type {
  RuntimeAdapterShape,
  RuntimeSessionHandle,
  StartSessionRequest,
} from "./runtime-types.ts"
import type { SessionInput } from "./session-lifecycle.ts"
import { type LiveSession, makeSessionTable } from "./session-table.ts"

/** The options every sandbox runtime takes. */
export interface SandboxRuntimeOptions {
  /** Port of the in-sandbox relay to the gateway socket (default 47823). */
  readonly relayPort?: number
  /** Host directory for the gateway sockets (default: the OS temp dir). */
  readonly socketBaseDir?: string
  /** Appended to the agent's system prompt. */
  readonly instructions?: string
  readonly limits?: Partial<PiMapperLimits>
  /** How long the runtime may take to start (default 60 s). */
  readonly startupTimeoutSeconds?: number
  readonly abortGraceMs?: number
  readonly exitGraceMs?: number
}

/** The gateway as a local sandbox reaches it. */
export interface LocalGatewayRoute {
  /** The socket's directory, bound into the sandbox. */
  readonly bind: ProcessBind
  /** The gateway's base inside the sandbox, without `/v1`. */
  readonly baseUrl: string
  readonly relay: { readonly port: number; readonly socketPath: string }
}

export interface LaunchContext {
  readonly request: StartSessionRequest
  /** The runtime's launch settings but the relay (the session's gateway token among them). */
  readonly settings: Omit<AgentLaunchSettings, "relay">
  readonly startFailed: (message: string) => RuntimeError
  /** Serves the gateway on a socket for the session's scope (local sandboxes). */
  readonly localGateway: Effect.Effect<LocalGatewayRoute, RuntimeError, Scope.Scope>
}

export interface Launch {
  /** Host paths the runtime's process sees (local sandboxes). */
  readonly binds: ReadonlyArray<ProcessBind>
  /** The model the session asks for. */
  readonly model: string
  /** The launch plan; throws on settings it refuses (e.g. a malformed token). */
  readonly plan: () => LaunchPlan
}

/**
 * A remote sandbox's agent is part of its image, not bound in: before the
 * session, `<command> --version` must answer the version PatchPlane maps
 * events for. Fails with the reason and what to do (the message only).
 */
export const checkRemoteVersion = (
  execution: ExecutionAdapterShape,
  sandbox: SandboxHandle,
  agent: {
    /** The agent's name in messages, e.g. "Pi". */
    readonly name: string
    readonly command: ReadonlyArray<string>
    readonly expected: string
    /** The config key that says how it starts, e.g. "runtime.pi.remote". */
    readonly configKey: string
  },
): Effect.Effect<void, string> =>
  Effect.gen(function* () {
    const { name, command, expected } = agent
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
        `${name} is missing from the sandbox image: \`${shown} --version\` exited with ${result.exitCode ?? "a signal"}` +
          `${output === "" ? "" : ` (${output.slice(-300)})`}. Build the image from app/src/execution/daytona/Dockerfile ` +
          `and set ${agent.configKey} (see docs/daytona.md)`,
      )
    const version = /\d+\.\d+\.\d+\S*/.exec(output)?.[0]
    if (version !== expected)
      return yield* Effect.fail(
        `the sandbox image has ${name} ${version ?? `(unrecognised: ${output.slice(0, 100)})`}, but PatchPlane needs ${name} ${expected}; ` +
          "rebuild the image from app/src/execution/daytona/Dockerfile",
      )
  })

/** Token validity beyond the run timeout, so the last call of a run is not cut off. */
const tokenGraceMs = 60_000

export const makeSandboxRuntime = <S extends LiveSession>(runtime: {
  readonly id: string
  /** The runtime's name in messages, e.g. "Pi". */
  readonly name: string
  readonly options: SandboxRuntimeOptions
  readonly launch: (context: LaunchContext) => Effect.Effect<Launch, RuntimeError, Scope.Scope>
  /** The session over the started process (the runtime adds its timing and limits). */
  readonly session: (input: Omit<SessionInput, "timing">) => Effect.Effect<S>
}) =>
  Effect.gen(function* () {
    const execution = yield* ExecutionAdapter
    const gateway = yield* ModelGateway
    const sessions = makeSessionTable<S>()
    const { options } = runtime

    const startSession: RuntimeAdapterShape["startSession"] = (request) =>
      Effect.gen(function* () {
        const scope = yield* Effect.scope
        const { sandbox, budget } = request
        const startFailed = (message: string) =>
          new RuntimeError({ operation: "start", sessionId: request.sessionId, message })
        if (sessions.has(request.sessionId))
          return yield* startFailed("this session is already running")
        if (request.runtime !== undefined && request.runtime !== runtime.id)
          return yield* startFailed(`this adapter runs ${runtime.name}, not "${request.runtime}"`)
        const startedAt = new Date()
        const token = gateway.issueRunToken({
          runId: request.runId,
          sessionId: request.sessionId,
          expiresAt: new Date(startedAt.getTime() + budget.runTimeoutSeconds * 1000 + tokenGraceMs),
          budget: { maxTokens: budget.maxTokens, maxCostUsd: budget.maxCostUsd },
        })

        const relayPort = options.relayPort ?? 47823
        const localGateway = serveGatewaySocket(gateway, options.socketBaseDir).pipe(
          Effect.mapError((error) => startFailed(error.message)),
          Effect.map((socket): LocalGatewayRoute => ({
            bind: { hostPath: socket.hostDir, sandboxPath: sandboxGatewayDir },
            baseUrl: `http://127.0.0.1:${relayPort}${gateway.basePath}`,
            relay: { port: relayPort, socketPath: `${sandboxGatewayDir}/${socket.socketName}` },
          })),
        )
        const launch = yield* runtime.launch({
          request,
          settings: {
            sessionId: request.sessionId,
            cwd: request.cwd,
            token: Redacted.value(token),
            readAgentsMd: request.readAgentsMd,
            instructions: options.instructions ?? defaultInstructions,
          },
          startFailed,
          localGateway,
        })
        const plan = yield* Effect.try({
          try: launch.plan,
          catch: (error) => startFailed(String(error)),
        })

        const process = yield* execution
          .spawn(sandbox, launcherCommand(), {
            cwd: request.cwd,
            binds: launch.binds,
            // The run's own timers stop the agent first; this is the backstop.
            timeoutSeconds: budget.runTimeoutSeconds + 60,
          })
          .pipe(
            Effect.mapError((error) =>
              startFailed(`cannot start ${runtime.name} in the sandbox: ${error.message}`),
            ),
          )
        yield* process
          .write(`${JSON.stringify(plan)}\n`)
          .pipe(Effect.mapError((error) => startFailed(error.message)))

        const handle: RuntimeSessionHandle = {
          id: request.sessionId,
          runId: request.runId,
          adapter: runtime.id,
          sandboxId: sandbox.id,
          startedAt,
        }
        const session = yield* runtime.session({
          handle,
          process,
          budget,
          sink: request.onEvent,
          scope,
          revokeModelAccess: () => gateway.revokeSession(handle.id),
          model: launch.model,
        })
        yield* sessions.open(handle, session, (options.startupTimeoutSeconds ?? 60) * 1000)
        return handle
      })

    return { startSession, sessions }
  })
