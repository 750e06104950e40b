// The GitHubInstallationBroker service without GitHub: hands out
// `ghs_test_<n>` tokens valid for an hour and records every request in
// `options.calls` (and every revoked token in `options.revoked`), so tests can
// assert what was asked for. Kept out of src/: production wires the live
// broker (github/installation-token.ts).
import { Effect, Layer, Redacted } from "effect"
import {
  GitHubBrokerError,
  GitHubInstallationBroker,
  type RepositoryTokenRequest,
} from "../../src/platform/github-installation-broker.ts"

const repositoryPattern = /^[\w.-]+\/[\w.-]+$/

export const testInstallationBrokerLayer = (
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
      revokeToken: (token) => Effect.sync(() => void options.revoked?.push(Redacted.value(token))),
    })
  })
