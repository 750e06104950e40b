// The live GitHubInstallationBroker: asks GitHub (as the App, with its JWT)
// for an installation token limited to one repository and one permission set,
// and revokes it (as the token itself) when the step that needed it is over.
import { Effect, Redacted } from "effect"
import {
  GitHubBrokerError,
  type GitHubInstallationBrokerShape,
} from "../platform/github-installation-broker.ts"
import type { Logger } from "../platform/logger.ts"
import { type Octokit, type Probot, tokenOctokit } from "./probot.ts"

export const makeInstallationBrokerLive = (
  probot: Probot,
  options: { readonly apiUrl: string; readonly log?: Logger },
): GitHubInstallationBrokerShape => ({
  mintRepositoryToken: (request) =>
    Effect.tryPromise({
      try: async () => {
        const [, name] = request.repository.split("/")
        const app = (await probot.auth()) as Octokit
        const { data } = await app.rest.apps.createInstallationAccessToken({
          installation_id: request.installationId,
          repositories: [name ?? request.repository],
          permissions: {
            contents: request.permissions.contents,
            metadata: "read",
            ...(request.permissions.workflows === undefined
              ? {}
              : { workflows: request.permissions.workflows }),
          },
        })
        return { token: Redacted.make(data.token), expiresAt: new Date(data.expires_at) }
      },
      catch: (error) =>
        new GitHubBrokerError({
          installationId: request.installationId,
          repository: request.repository,
          message: error instanceof Error ? error.message : String(error),
        }),
    }),
  // GitHub: "Revoke an installation access token", DELETE /installation/token → 204.
  revokeToken: (token) =>
    Effect.promise(async () => {
      try {
        await tokenOctokit(
          options.apiUrl,
          Redacted.value(token),
        ).rest.apps.revokeInstallationAccessToken()
      } catch (error) {
        options.log?.warn(
          { status: (error as { status?: number }).status ?? null },
          "could not revoke an installation token; it expires within the hour",
        )
      }
    }),
})
