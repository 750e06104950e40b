// The Pi coding agent behind the RuntimeAdapter contract. Pi runs inside the
// run's sandbox in RPC mode (JSON lines over stdin/stdout): started through
// the in-sandbox launcher (pi-launch.ts), with the installed npm package bound
// read-only into local sandboxes (nothing is fetched at run time), and with
// the model gateway as its only model endpoint, reached through a per-session
// unix socket when the sandbox has no network.
import { Effect } from "effect"
import { ExecutionAdapter } from "../execution/execution-adapter.ts"
import type { ProcessBind } from "../execution/index.ts"
import { defaultMapperLimits } from "./pi-events.ts"
import {
  launchPlan,
  locatePiInstall,
  pinnedPiVersion,
  type ModelSettings,
  type PiInstall,
  sandboxNodeModules,
} from "./pi-launch.ts"
import { makePiSession } from "./pi-session.ts"
import type { RuntimeAdapterShape } from "./runtime-types.ts"
import {
  checkRemoteVersion,
  makeSandboxRuntime,
  type SandboxRuntimeOptions,
} from "./sandbox-runtime.ts"

export interface PiRuntimeOptions extends SandboxRuntimeOptions {
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
}

const defaultModel: ModelSettings = {
  id: "default",
  contextWindow: 128_000,
  maxTokens: 16_384,
  inputUsdPerMTok: 0,
  outputUsdPerMTok: 0,
}

export const makePiRuntime = (options: PiRuntimeOptions = {}) =>
  Effect.gen(function* () {
    const execution = yield* ExecutionAdapter
    const install = options.install ?? locatePiInstall()
    const limits = { ...defaultMapperLimits, ...options.limits }
    const timing = {
      abortGraceMs: options.abortGraceMs ?? 1500,
      exitGraceMs: options.exitGraceMs ?? 2000,
      commandTimeoutMs: 15_000,
    }

    const { startSession, sessions } = yield* makeSandboxRuntime({
      id: "pi",
      name: "Pi",
      options,
      launch: ({ request, settings, startFailed, localGateway }) =>
        Effect.gen(function* () {
          const { sandbox } = request
          let binds: Array<ProcessBind> = []
          let piCommand: ReadonlyArray<string>
          let gatewayBaseUrl: string
          let relay: { port: number; socketPath: string } | null = null
          if (sandbox.backend === "local") {
            const route = yield* localGateway
            binds = [
              { hostPath: install.hostNodeModules, sandboxPath: sandboxNodeModules },
              route.bind,
            ]
            piCommand = ["node", `${sandboxNodeModules}/${install.cliRelative}`]
            gatewayBaseUrl = `${route.baseUrl}/v1`
            relay = route.relay
          } else {
            if (options.remote === undefined)
              return yield* startFailed(
                `the Pi runtime needs runtime options "remote" (command, gatewayBaseUrl) for ${sandbox.backend} sandboxes`,
              )
            piCommand = options.remote.command
            gatewayBaseUrl = options.remote.gatewayBaseUrl
            yield* checkRemoteVersion(execution, sandbox, {
              name: "Pi",
              command: piCommand,
              expected: options.remote.expectedVersion ?? pinnedPiVersion(),
              configKey: "runtime.pi.remote",
            }).pipe(Effect.mapError((message) => startFailed(message)))
          }

          const model = request.model ?? options.model?.id ?? defaultModel.id
          return {
            binds,
            model,
            plan: () =>
              launchPlan({
                ...settings,
                piCommand,
                provider: options.provider ?? "patchplane-gateway",
                model: { ...defaultModel, ...options.model, id: model },
                gatewayBaseUrl,
                relay,
              }),
          }
        }),
      session: (input) => makePiSession({ ...input, limits, timing }),
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
