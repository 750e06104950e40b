// What every route module shares: the store, the URLs, and the access rules
// GitHub applies to an installation token (its installation, its
// repositories, its permissions; private repositories are invisible otherwise).
import { allows } from "./app-auth.ts"
import type { ApiRequest } from "./router.ts"
import { badCredentials, forbidden, HttpError, notFound } from "./router.ts"
import type { Urls } from "./shapes.ts"
import type { Level, Repository, Store, Token, User } from "./state.ts"

export interface WebhookTarget {
  readonly url: string
  readonly secret: string
}

export interface Context {
  readonly store: Store
  readonly urls: Urls
  readonly tokenTtlSeconds: number
  /** How long a branch created by a push stays invisible to "Create a pull request". */
  newBranchDelayMs: number
  /** Sends a recorded delivery again (POST /app/hook/deliveries/:id/attempts). */
  readonly redeliver: (deliveryId: number) => Promise<boolean>
}

export type Need = readonly [scope: string, level: Level]

export const requireApp = (req: ApiRequest): void => {
  if (req.caller.kind !== "app")
    throw new HttpError(401, {
      message: "A JSON web token could not be decoded",
    })
}

export const requireInstallation = (req: ApiRequest): Token => {
  if (req.caller.kind === "installation") return req.caller.token
  if (req.caller.kind === "app") throw forbidden()
  throw badCredentials("Requires authentication")
}

/** The repository in the path, if the caller may see it with one of the permissions. */
export const requireRepo = (
  ctx: Context,
  req: ApiRequest,
  ...anyOf: ReadonlyArray<Need>
): Repository => {
  const repo = ctx.store.repository(`${req.params.owner ?? ""}/${req.params.repo ?? ""}`)
  const caller = req.caller
  if (repo === undefined || caller.kind === "anonymous") throw notFound()
  if (caller.kind !== "installation") throw forbidden()
  if (!tokenSeesRepo(caller.token, repo)) throw notFound()
  if (!anyOf.some(([scope, level]) => allows(caller.token.permissions[scope], level)))
    throw forbidden()
  return repo
}

export const tokenSeesRepo = (token: Token, repo: Repository): boolean =>
  token.installationId === repo.installationId &&
  (token.repositoryIds === null || token.repositoryIds.has(repo.id))

/** Whoever acts with an installation token is the App's bot user. */
export const actor = (ctx: Context): User => ctx.store.app.bot

export const touch = (record: { updatedAt: Date }): void => {
  record.updatedAt = new Date()
}
