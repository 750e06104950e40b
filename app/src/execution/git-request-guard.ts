// What every backend checks on a clone or push request before any git runs or
// any credential is handed over: the URL carries no credentials (they would
// be written into .git/config as the remote), a push writes only a ref it may
// (push-target.ts), and the checkout's path lies inside the workspace.
import { Effect } from "effect"
import { ExecutionError } from "./execution-errors.ts"
import { hasUserInfo } from "./git-credentials.ts"
import { resolveInWorkspace } from "./path-guard.ts"
import { checkPushTarget } from "./push-target.ts"
import type { CheckoutRequest, PushRequest, SandboxHandle } from "./sandbox-types.ts"

/** Where the clone goes, as an absolute path inside the workspace. */
export const checkoutDestination = (handle: SandboxHandle, request: CheckoutRequest) =>
  Effect.gen(function* () {
    if (hasUserInfo(request.url))
      return yield* new ExecutionError({
        operation: "checkout",
        sandboxId: handle.id,
        message: "the clone URL must not carry credentials",
      })
    return yield* resolveInWorkspace(handle.workspaceRoot, request.path)
  })

/** The checkout the push publishes from, as an absolute path inside the workspace. */
export const pushSource = (handle: SandboxHandle, request: PushRequest) =>
  Effect.gen(function* () {
    if (hasUserInfo(request.url))
      return yield* new ExecutionError({
        operation: "push",
        sandboxId: handle.id,
        message: "the push URL must not carry credentials",
      })
    const refused = checkPushTarget(handle, request)
    if (refused !== null) return yield* refused
    return yield* resolveInWorkspace(handle.workspaceRoot, request.path)
  })
