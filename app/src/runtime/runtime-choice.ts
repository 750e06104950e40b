// Several agent runtimes behind one RuntimeAdapter: each session runs on the
// runtime its request names (the run's policy, `agent.runtime`), or on the
// default one. The control plane keeps calling one adapter; which runtime a
// session runs on is decided here and remembered per session.
import { Effect } from "effect"
import { RuntimeError } from "./runtime-errors.ts"
import type { RuntimeAdapterShape, RuntimeSessionHandle } from "./runtime-types.ts"

const missing = (operation: RuntimeError["operation"], handle: RuntimeSessionHandle) =>
  new RuntimeError({
    operation,
    sessionId: handle.id,
    message: `no runtime "${handle.adapter}" in this process`,
  })

export const makeRuntimeChoice = (
  runtimes: ReadonlyArray<RuntimeAdapterShape>,
  defaultId: string,
): RuntimeAdapterShape => {
  const byId = new Map(runtimes.map((runtime) => [runtime.id, runtime]))
  if (!byId.has(defaultId))
    throw new Error(
      `the default runtime "${defaultId}" is not among ${[...byId.keys()].join(", ")}`,
    )
  const idFor = (runtime: string | undefined) => runtime ?? defaultId
  /** Sessions are looked up by the adapter id their handle carries. */
  const of = (handle: RuntimeSessionHandle) => byId.get(handle.adapter)
  const on =
    <A>(
      operation: RuntimeError["operation"],
      use: (runtime: RuntimeAdapterShape) => Effect.Effect<A, RuntimeError>,
    ) =>
    (handle: RuntimeSessionHandle) => {
      const runtime = of(handle)
      return runtime === undefined ? Effect.fail(missing(operation, handle)) : use(runtime)
    }
  return {
    id: defaultId,
    idFor,
    startSession: (request) => {
      const id = idFor(request.runtime)
      const runtime = byId.get(id)
      return runtime === undefined
        ? Effect.fail(
            new RuntimeError({
              operation: "start",
              sessionId: request.sessionId,
              message: `the runtime "${id}" is not configured here (configured: ${[...byId.keys()].join(", ")})`,
            }),
          )
        : runtime.startSession(request)
    },
    runTurn: (handle, prompt) => on("turn", (r) => r.runTurn(handle, prompt))(handle),
    steer: (handle, message) => on("steer", (r) => r.steer(handle, message))(handle),
    abort: (handle) => on("abort", (r) => r.abort(handle))(handle),
    respondToApproval: (handle, approvalId, decision) =>
      on("approval", (r) => r.respondToApproval(handle, approvalId, decision))(handle),
    collectArtifacts: (handle) => on("artifacts", (r) => r.collectArtifacts(handle))(handle),
    terminate: (handle, reason, detail) => {
      const runtime = of(handle)
      return runtime === undefined
        ? Effect.succeed({ reason: reason ?? "completed", detail: detail ?? null, turns: 0 })
        : runtime.terminate(handle, reason, detail)
    },
  }
}
