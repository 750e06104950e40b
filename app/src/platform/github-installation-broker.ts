// Mints the narrowest GitHub credential a run needs: an installation token
// scoped to one repository with `contents` read (checkout) or write
// (publication). Tokens live in memory for one step and are never persisted;
// `scopedRepositoryToken` revokes each one when the step that minted it ends,
// so a token something copied during the step is dead an instant later
// instead of for the rest of its hour.
// The live implementation is github/installation-token.ts (GitHub's API, as the App).
import { Context, Effect, Layer, Redacted, Schema, type Scope } from "effect"

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

const repositoryPattern = /^[\w.-]+\/[\w.-]+$/

export class GitHubInstallationBroker extends Context.Service<
  GitHubInstallationBroker,
  GitHubInstallationBrokerShape
>()("@patchplane/app/GitHubInstallationBroker") {
  /**
   * Hands out `ghs_test_<n>` tokens valid for an hour and records every
   * request in `options.calls`, so tests can assert what was asked for.
   */
  static readonly layerTest = (
    options: {
      readonly calls?: Array<RepositoryTokenRequest>
      /** Every revoked token's value, in order. */
      readonly revoked?: Array<string>
      readonly token?: (request: RepositoryTokenRequest, n: number) => string
    } = {},
  ) =>
    Layer.sync(GitHubInstallationBroker, () => {
      let minted = 0
      return GitHubInstallationBroker.of({
        mintRepositoryToken: (request) =>
          Effect.suspend(() => {
            if (!repositoryPattern.test(request.repository))
              return Effect.fail(
                new GitHubBrokerError({
                  installationId: request.installationId,
                  repository: request.repository,
                  message: `not a repository full name (owner/name): ${request.repository}`,
                }),
              )
            minted += 1
            options.calls?.push(request)
            const token = options.token?.(request, minted) ?? `ghs_test_${minted}`
            return Effect.succeed({
              token: Redacted.make(token),
              expiresAt: new Date(Date.now() + 60 * 60 * 1000),
            })
          }),
        revokeToken: (token) =>
          Effect.sync(() => void options.revoked?.push(Redacted.value(token))),
      })
    })
}

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
