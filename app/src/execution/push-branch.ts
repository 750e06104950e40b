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
      const { token } = yield* scopedRepositoryToken({
        installationId: request.installationId,
        repository: request.repository,
        permissions: { contents: "write" },
      })
      return yield* adapter.push(sandbox, {
        path: request.path,
        commit: request.commit,
        url: request.url,
        branch: request.branch,
        force: request.force,
        auth: { username: "x-access-token", token },
      })
    }),
  )
