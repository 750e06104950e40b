// The RuntimeAdapter service: the agent runtime behind a narrow contract
// (runtime-types.ts). The control plane only sees PatchPlane's normalized
// RuntimeEvents; Pi is the first implementation, and the scripted one stands
// in for it in workflow tests.
import { Context, Layer } from "effect"
import { makePiRuntime, type PiRuntimeOptions } from "./pi-runtime.ts"
import type { RuntimeAdapterShape } from "./runtime-types.ts"
import { makeScriptedRuntime, type ScriptedRuntimeOptions } from "./scripted-runtime.ts"

export class RuntimeAdapter extends Context.Service<RuntimeAdapter, RuntimeAdapterShape>()(
  "@patchplane/app/RuntimeAdapter",
) {
  /** Pi in the run's sandbox; needs ExecutionAdapter and ModelGateway. */
  static readonly layerPi = (options: PiRuntimeOptions = {}) =>
    Layer.effect(RuntimeAdapter, makePiRuntime(options))

  /** Scripted turns in memory: no sandbox, no process, no model. */
  static readonly layerTest = (options: ScriptedRuntimeOptions = {}) =>
    Layer.succeed(RuntimeAdapter, makeScriptedRuntime(options))
}
