// The App's own endpoints (JWT) and the installation endpoints (token):
// minting scoped installation tokens, listing what a token sees, and the
// webhook delivery log with redelivery.
import { type Context, requireApp, requireInstallation, tokenSeesRepo } from "./context.ts"
import { issueToken } from "./app-auth.ts"
import {
  field,
  HttpError,
  intParam,
  json,
  notFound,
  paginate,
  route,
  type Route,
  validationFailed,
} from "./router.ts"
import { appShape, deliveryShape, installationShape, iso, repoShape } from "./shapes.ts"

const stringArray = (value: unknown): ReadonlyArray<string> | undefined =>
  Array.isArray(value) && value.every((v) => typeof v === "string") ? value : undefined
const numberArray = (value: unknown): ReadonlyArray<number> | undefined =>
  Array.isArray(value) && value.every((v) => typeof v === "number") ? value : undefined

export const appRoutes = (ctx: Context): ReadonlyArray<Route> => {
  const { store, urls } = ctx
  const installationOf = (id: number) => {
    const found = store.installations.get(id)
    if (found === undefined) throw notFound()
    return found
  }
  const allPermissions = () =>
    Object.assign({}, ...[...store.installations.values()].map((i) => i.permissions)) as Record<
      string,
      string
    >
  return [
    route("GET", "/app", (req) => {
      requireApp(req)
      return json(200, appShape(urls, store, allPermissions()))
    }),
    route("GET", "/app/installations", (req) => {
      requireApp(req)
      const all = [...store.installations.values()].map((i) => installationShape(urls, store, i))
      const { page, headers } = paginate(req, all, `${urls.api}/app/installations`)
      return json(200, page, headers)
    }),
    route("GET", "/app/installations/:id", (req) => {
      requireApp(req)
      return json(200, installationShape(urls, store, installationOf(intParam(req, "id"))))
    }),
    route("POST", "/app/installations/:id/access_tokens", (req) => {
      requireApp(req)
      const installation = installationOf(intParam(req, "id"))
      const repositories = stringArray(field(req.body, "repositories"))
      const repositoryIds = numberArray(field(req.body, "repository_ids"))
      const permissions = field(req.body, "permissions")
      if (permissions !== undefined && (typeof permissions !== "object" || permissions === null))
        throw validationFailed([
          { resource: "Installation", field: "permissions", code: "invalid" },
        ])
      const issued = issueToken(
        store,
        installation,
        {
          ...(repositories === undefined ? {} : { repositories }),
          ...(repositoryIds === undefined ? {} : { repositoryIds }),
          ...(permissions === undefined
            ? {}
            : { permissions: permissions as Record<string, string> }),
        },
        ctx.tokenTtlSeconds,
      )
      if (!issued.ok) throw new HttpError(issued.status, { message: issued.message })
      const { token } = issued
      const repos = [...store.repositories.values()].filter((r) => tokenSeesRepo(token, r))
      return json(201, {
        token: token.token,
        expires_at: iso(token.expiresAt),
        permissions: token.permissions,
        repository_selection: token.repositoryIds === null ? "all" : "selected",
        ...(token.repositoryIds === null
          ? {}
          : { repositories: repos.map((r) => repoShape(urls, r)) }),
      })
    }),
    route("GET", "/installation/repositories", (req) => {
      const token = requireInstallation(req)
      const repos = [...store.repositories.values()]
        .filter((r) => tokenSeesRepo(token, r))
        .map((r) => repoShape(urls, r))
      const { page, headers } = paginate(req, repos, `${urls.api}/installation/repositories`)
      return json(
        200,
        {
          total_count: repos.length,
          repository_selection: token.repositoryIds === null ? "all" : "selected",
          repositories: page,
        },
        headers,
      )
    }),
    // OpenAPI "apps/revoke-installation-access-token": authenticated with the
    // token itself, answers 204; "Once an installation token is revoked, the
    // token is invalidated and cannot be used" — REST and git alike (401).
    route("DELETE", "/installation/token", (req) => {
      const token = requireInstallation(req)
      token.expiresAt = new Date(0)
      return json(204, "")
    }),
    route("GET", "/app/hook/deliveries", (req) => {
      requireApp(req)
      // Newest first, paged by an opaque cursor like GitHub's.
      const newest = store.deliveries.toReversed()
      const perPage = Math.min(Math.max(Number(req.query.get("per_page") ?? 30) || 30, 1), 100)
      const start = Number(req.query.get("cursor") ?? 0) || 0
      const page = newest.slice(start, start + perPage)
      const next = start + perPage
      const headers: Record<string, string> =
        next < newest.length
          ? {
              link: `<${urls.api}/app/hook/deliveries?per_page=${perPage}&cursor=${next}>; rel="next"`,
            }
          : {}
      return json(200, page.map(deliveryShape), headers)
    }),
    route("POST", "/app/hook/deliveries/:id/attempts", async (req) => {
      requireApp(req)
      if (!(await ctx.redeliver(intParam(req, "id")))) throw notFound()
      return json(202, {})
    }),
  ]
}
