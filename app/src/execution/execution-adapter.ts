// The ExecutionAdapter service: where generated code runs. Two layers, one
// contract (sandbox-types.ts): the embedded bubblewrap sandbox (default) and
// Daytona. Callers should hold sandboxes with `ExecutionAdapter.scoped`, so an
// interrupted or failed run always deletes its sandbox.
import { Context, Effect, Layer } from "effect"
import type { DaytonaSandboxOptions } from "./daytona-sandbox.ts"
import { type LocalSandboxOptions, makeLocalSandbox } from "./local-sandbox.ts"
import type { ExecutionAdapterShape, SandboxSpec } from "./sandbox-types.ts"

export class ExecutionAdapter extends Context.Service<ExecutionAdapter, ExecutionAdapterShape>()(
  "@patchplane/app/ExecutionAdapter",
) {
  /** bubblewrap on this host; sandboxes still alive when the layer closes are destroyed. */
  static readonly layerLocal = (options: LocalSandboxOptions = {}) =>
    Layer.effect(ExecutionAdapter, makeLocalSandbox(options))

  /**
   * Daytona through `@daytonaio/sdk`; sandboxes still alive when the layer
   * closes are deleted. The SDK is loaded only here: a control plane on the
   * local sandbox never carries it in memory.
   */
  static readonly layerDaytona = (options: DaytonaSandboxOptions) =>
    Layer.effect(
      ExecutionAdapter,
      Effect.flatMap(
        Effect.promise(() => import("./daytona-sandbox.ts")),
        (daytona) => daytona.makeDaytonaSandbox(options),
      ),
    )

  /** A sandbox for the current scope: destroyed when the scope closes, however it closes. */
  static readonly scoped = (spec: SandboxSpec) =>
    Effect.gen(function* () {
      const adapter = yield* ExecutionAdapter
      return yield* Effect.acquireRelease(adapter.create(spec), (handle) =>
        adapter.destroy(handle).pipe(Effect.ignore),
      )
    })
}
