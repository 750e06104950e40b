// The RuntimeAdapter service: the agent runtime behind a narrow contract
// (runtime-types.ts). The control plane only sees PatchPlane's normalized
// RuntimeEvents; Pi and Claude Code are the live implementations (either,
// or both with the run's policy choosing); the scripted stand-in for tests is
// test support (app/test/support/scripted-runtime.ts).
import { Context, Effect, Layer } from "effect"
import { type ClaudeRuntimeOptions, makeClaudeRuntime } from "./claude-runtime.ts"
import { makePiRuntime, type PiRuntimeOptions } from "./pi-runtime.ts"
import { makeRuntimeChoice } from "./runtime-choice.ts"
import type { RuntimeAdapterShape } from "./runtime-types.ts"

export class RuntimeAdapter extends Context.Service<RuntimeAdapter, RuntimeAdapterShape>()(
  "@patchplane/app/RuntimeAdapter",
) {
  /** Pi in the run's sandbox; needs ExecutionAdapter and ModelGateway. */
  static readonly layerPi = (options: PiRuntimeOptions = {}) =>
    Layer.effect(RuntimeAdapter, makePiRuntime(options))

  /** Claude Code in the run's sandbox; needs ExecutionAdapter and ModelGateway. */
  static readonly layerClaudeCode = (options: ClaudeRuntimeOptions = {}) =>
    Layer.effect(RuntimeAdapter, makeClaudeRuntime(options))

  /**
   * Pi, plus Claude Code when given: each session runs on the runtime its
   * request names (the run's policy), Pi by default.
   */
  static readonly layerLive = (options: {
    readonly pi?: PiRuntimeOptions
    readonly claudeCode?: ClaudeRuntimeOptions
  }) =>
    Layer.effect(
      RuntimeAdapter,
      Effect.gen(function* () {
        const pi = yield* makePiRuntime(options.pi)
        if (options.claudeCode === undefined) return pi
        return makeRuntimeChoice([pi, yield* makeClaudeRuntime(options.claudeCode)], pi.id)
      }),
    )
}
