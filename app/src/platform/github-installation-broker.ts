// Mints the narrowest GitHub credential a run needs: an installation token
// scoped to one repository with `contents` read (checkout) or write
// (publication). Tokens live in memory for one step and are never persisted;
// `scopedRepositoryToken` revokes each one when the step that minted it ends,
// so a token something copied during the step is dead an instant later
// instead of for the rest of its hour.
// The live implementation is github/installation-token.ts (GitHub's API, as the
// App); the test one is app/test/support/test-installation-broker.ts.
import { Context, Effect, type Redacted, Schema, type Scope } from "effect"

export class GitHubBrokerError extends Schema.TaggedError<GitHubBrokerError>()(
  "GitHubBrokerError",
  {
    installationId: Schema.Number,
    repository: Schema.String,
    message: Schema.String,
  },
) {}

export interface RepositoryTokenRequest {
  readonly installationId: number
  /** "owner/name": the token is scoped to this one repository. */
  readonly repository: string
  readonly permissions: {
    readonly contents: "read" | "write"
    /** Only for a push that creates or changes `.github/workflows/` files (GitHub requires it). */
    readonly workflows?: "write"
  }
}

export interface RepositoryToken {
  readonly token: Redacted.Redacted<string>
  readonly expiresAt: Date
}

export interface GitHubInstallationBrokerShape {
  readonly mintRepositoryToken: (
    request: RepositoryTokenRequest,
  ) => Effect.Effect<RepositoryToken, GitHubBrokerError>
  /**
   * Invalidates a token minted here (GitHub: `DELETE /installation/token`,
   * authenticated with the token itself). Never fails: a revocation that does
   * not go through is logged, and the token still expires within the hour.
   */
  readonly revokeToken: (token: Redacted.Redacted<string>) => Effect.Effect<void>
}

export class GitHubInstallationBroker extends Context.Service<
  GitHubInstallationBroker,
  GitHubInstallationBrokerShape
>()("@patchplane/app/GitHubInstallationBroker") {}

/** A token for the current scope: minted now, revoked when the scope closes (success or not). */
export const scopedRepositoryToken = (
  request: RepositoryTokenRequest,
): Effect.Effect<RepositoryToken, GitHubBrokerError, GitHubInstallationBroker | Scope.Scope> =>
  Effect.gen(function* () {
    const broker = yield* GitHubInstallationBroker
    return yield* Effect.acquireRelease(broker.mintRepositoryToken(request), (minted) =>
      broker.revokeToken(minted.token),
    )
  })
