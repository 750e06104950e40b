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

/** A URL with credentials is refused: they would land in .git/config. */
const refuseCredentials = (
  handle: SandboxHandle,
  operation: "checkout" | "push",
  url: string,
  what: string,
) =>
  hasUserInfo(url)
    ? Effect.fail(
        new ExecutionError({
          operation,
          sandboxId: handle.id,
          message: `the ${what} URL must not carry credentials`,
        }),
      )
    : Effect.void

/** Where the clone goes, as an absolute path inside the workspace. */
export const checkoutDestination = (handle: SandboxHandle, request: CheckoutRequest) =>
  refuseCredentials(handle, "checkout", request.url, "clone").pipe(
    Effect.andThen(resolveInWorkspace(handle.workspaceRoot, request.path)),
  )

/** The checkout the push publishes from, as an absolute path inside the workspace. */
export const pushSource = (handle: SandboxHandle, request: PushRequest) =>
  Effect.gen(function* () {
    yield* refuseCredentials(handle, "push", request.url, "push")
    const refused = checkPushTarget(handle, request)
    if (refused !== null) return yield* refused
    return yield* resolveInWorkspace(handle.workspaceRoot, request.path)
  })
