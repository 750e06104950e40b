// Checks a repository out into a sandbox with the narrowest credential: an
// installation token for that one repository, minted for this checkout,
// used for the clone request only and revoked when the clone is done. Afterwards the checkout
// is inspected: a token left in `.git/config` fails the run.
import { Effect } from "effect"
import {
  type GitHubBrokerError,
  type GitHubInstallationBroker,
  scopedRepositoryToken,
} from "../platform/github-installation-broker.ts"
import { ExecutionAdapter } from "./execution-adapter.ts"
import { ExecutionError } from "./execution-errors.ts"
import { secretForms } from "./git-credentials.ts"
import { resolveInWorkspace } from "./path-guard.ts"
import type { ExecFailure, SandboxHandle } from "./sandbox-types.ts"

export interface RepositoryCheckoutRequest {
  readonly runId: string
  readonly installationId: number
  /** "owner/name". */
  readonly repository: string
  /** Default `https://github.com/<repository>.git`; a GHES URL, or a bound path in tests. */
  readonly cloneUrl?: string
  readonly branch?: string
  readonly commit?: string
  /** Inside the workspace (default "repo"). */
  readonly path?: string
  /** `read` for checkout; `write` only where the run itself must push. */
  readonly contents?: "read" | "write"
}

export interface RepositoryCheckout {
  /** Absolute path of the working tree inside the sandbox. */
  readonly path: string
  readonly baseSha: string
  /** `patchplane/<run-id>`, checked out and ready for the agent. */
  readonly branch: string
}

export const runBranch = (runId: string): string => `patchplane/${runId}`

export const checkoutRepository = (
  sandbox: SandboxHandle,
  request: RepositoryCheckoutRequest,
): Effect.Effect<
  RepositoryCheckout,
  ExecFailure | GitHubBrokerError,
  ExecutionAdapter | GitHubInstallationBroker
> =>
  Effect.gen(function* () {
    const adapter = yield* ExecutionAdapter
    const fail = (message: string) =>
      new ExecutionError({ operation: "checkout", sandboxId: sandbox.id, message })
    const path = yield* resolveInWorkspace(sandbox.workspaceRoot, request.path ?? "repo")
    // The token lives for the clone only: revoked as soon as it returns.
    const { cloned, auth } = yield* Effect.scoped(
      Effect.gen(function* () {
        const { token } = yield* scopedRepositoryToken({
          installationId: request.installationId,
          repository: request.repository,
          permissions: { contents: request.contents ?? "read" },
        })
        const used = { username: "x-access-token", token }
        const result = yield* adapter.checkout(sandbox, {
          url: request.cloneUrl ?? `https://github.com/${request.repository}.git`,
          path,
          auth: used,
          ...(request.branch === undefined ? {} : { branch: request.branch }),
          ...(request.commit === undefined ? {} : { commit: request.commit }),
        })
        return { cloned: result, auth: used }
      }),
    )
    const config = new TextDecoder().decode(yield* adapter.readFile(sandbox, `${path}/.git/config`))
    if (secretForms(auth).some((secret) => config.includes(secret)))
      return yield* fail(
        "the checkout left the installation token in .git/config; refusing to continue",
      )
    const branch = runBranch(request.runId)
    const switched = yield* adapter.exec(sandbox, ["git", "switch", "--quiet", "-c", branch], {
      cwd: path,
      timeoutSeconds: 60,
    })
    if (switched.exitCode !== 0)
      return yield* fail(`cannot create branch ${branch}: ${switched.stderr || switched.stdout}`)
    return { path, baseSha: cloned.headSha, branch }
  })
