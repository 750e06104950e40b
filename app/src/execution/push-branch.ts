// Publishes a run's commit to the git host with the narrowest credential that
// can: an installation token for that one repository with `contents: write`,
// minted for this push and revoked as soon as it ends (pushed, refused or
// failed). The token never enters the agent's environment: the push runs
// after the agent is gone, in a process of its own that reads nothing the
// agent could write (see ExecutionAdapter.push).
import { Effect } from "effect"
import {
  type GitHubBrokerError,
  type GitHubInstallationBroker,
  scopedRepositoryToken,
} from "../platform/github-installation-broker.ts"
import { ExecutionAdapter } from "./execution-adapter.ts"
import { ExecutionError } from "./execution-errors.ts"
import { classifyPushOutput } from "./push-refusal.ts"
import type { ExecFailure, PushResult, SandboxHandle } from "./sandbox-types.ts"

export interface PushBranchRequest {
  readonly installationId: number
  /** "owner/name". */
  readonly repository: string
  readonly url: string
  /** The checkout inside the sandbox. */
  readonly path: string
  readonly commit: string
  readonly branch: string
  readonly force: boolean
  /** The PatchSet creates or changes `.github/workflows/` files. */
  readonly touchesWorkflows: boolean
}

export const pushBranch = (
  sandbox: SandboxHandle,
  request: PushBranchRequest,
): Effect.Effect<
  PushResult,
  ExecFailure | GitHubBrokerError,
  ExecutionAdapter | GitHubInstallationBroker
> =>
  Effect.scoped(
    Effect.gen(function* () {
      const adapter = yield* ExecutionAdapter
      // GitHub refuses a push touching workflow files without `workflows: write`;
      // every other push gets a token that cannot change them.
      const { token } = yield* scopedRepositoryToken({
        installationId: request.installationId,
        repository: request.repository,
        permissions: request.touchesWorkflows
          ? { contents: "write", workflows: "write" }
          : { contents: "write" },
      })
      const pushed = adapter.push(sandbox, {
        path: request.path,
        commit: request.commit,
        url: request.url,
        branch: request.branch,
        force: request.force,
        auth: { username: "x-access-token", token },
      })
      return yield* pushed.pipe(
        Effect.mapError((error) => explainRefusal(error, request.touchesWorkflows)),
      )
    }),
  )

/**
 * A push GitHub refused for permissions is no moved branch: say which
 * permission is missing (git's message names it), so nobody retries or
 * resolves a conflict that is not there.
 */
const explainRefusal = (error: ExecFailure, touchesWorkflows: boolean): ExecFailure => {
  const refusal = classifyPushOutput(error.message)
  if (refusal?.kind !== "permission" || error._tag !== "ExecutionError") return error
  return new ExecutionError({
    ...error,
    message: touchesWorkflows
      ? `GitHub refused the push: the installation has not granted the App the workflows permission this PatchSet needs (it changes .github/workflows/). Accept the App's updated permissions, then retry. ${refusal.detail}`
      : `GitHub refused the push for lack of permission: ${refusal.detail}`,
  })
}
