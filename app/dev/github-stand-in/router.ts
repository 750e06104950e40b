// A small REST router: path templates with `:param` (one segment) and `*param`
// (the rest), handlers that return a reply or throw an HttpError with GitHub's
// error body, and the pagination GitHub's list endpoints use.
import type { IncomingHttpHeaders } from "node:http"
import type { Caller } from "./app-auth.ts"

const DOCS = "https://docs.github.com/rest"

export interface ApiRequest {
  readonly method: string
  /** The path as in GitHub's REST docs (without `/api/v3`). */
  readonly path: string
  readonly params: Readonly<Record<string, string>>
  readonly query: URLSearchParams
  /** The parsed JSON body, or null. */
  readonly body: unknown
  readonly headers: IncomingHttpHeaders
  readonly caller: Caller
}

export interface Reply {
  readonly status: number
  /** Serialized as JSON unless it is a string. */
  readonly body: unknown
  readonly headers?: Readonly<Record<string, string>>
}

export type Handler = (req: ApiRequest) => Reply | Promise<Reply>

export interface Route {
  readonly method: string
  readonly pattern: RegExp
  readonly handler: Handler
}

export class HttpError extends Error {
  readonly status: number
  readonly body: Record<string, unknown>
  readonly headers: Readonly<Record<string, string>>
  constructor(status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) {
    super(String(body.message ?? status))
    this.status = status
    this.body = { documentation_url: DOCS, status: String(status), ...body }
    this.headers = headers
  }
}

export const notFound = () => new HttpError(404, { message: "Not Found" })
export const badCredentials = (message = "Bad credentials") => new HttpError(401, { message })
export const forbidden = () =>
  new HttpError(403, { message: "Resource not accessible by integration" })
export const unprocessable = (message: string) => new HttpError(422, { message })
export const validationFailed = (errors: ReadonlyArray<Record<string, unknown>>) =>
  new HttpError(422, { message: "Validation Failed", errors })

export const json = (
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Reply => ({
  status,
  body,
  headers,
})

export const route = (method: string, template: string, handler: Handler): Route => {
  const source = template
    .split("/")
    .map((segment) =>
      segment.startsWith(":")
        ? `(?<${segment.slice(1)}>[^/]+)`
        : segment.startsWith("*")
          ? `(?<${segment.slice(1)}>.+)`
          : segment.replace(/[.+?^${}()|[\]\\]/g, "\\$&"),
    )
    .join("/")
  return { method, pattern: new RegExp(`^${source}/?$`), handler }
}

export const match = (
  routes: ReadonlyArray<Route>,
  method: string,
  path: string,
): { readonly route: Route; readonly params: Record<string, string> } | null => {
  for (const candidate of routes) {
    if (candidate.method !== method) continue
    const found = candidate.pattern.exec(path)
    if (found === null) continue
    const params: Record<string, string> = {}
    for (const [name, value] of Object.entries(found.groups ?? {}))
      params[name] = decodeURIComponent(value)
    return { route: candidate, params }
  }
  return null
}

/** A string field of the JSON body, or undefined. */
export const field = (body: unknown, name: string): unknown =>
  typeof body === "object" && body !== null ? (body as Record<string, unknown>)[name] : undefined

export const stringField = (body: unknown, name: string): string | undefined => {
  const value = field(body, name)
  return typeof value === "string" ? value : undefined
}

export const intParam = (req: ApiRequest, name: string): number => {
  const value = Number(req.params[name])
  if (!Number.isSafeInteger(value)) throw notFound()
  return value
}

/** One page of a list, with GitHub's Link header (page / per_page, at most 100). */
export const paginate = <A>(
  req: ApiRequest,
  items: ReadonlyArray<A>,
  selfUrl: string,
): { readonly page: ReadonlyArray<A>; readonly headers: Record<string, string> } => {
  const perPage = Math.min(Math.max(Number(req.query.get("per_page") ?? 30) || 30, 1), 100)
  const page = Math.max(Number(req.query.get("page") ?? 1) || 1, 1)
  const last = Math.max(Math.ceil(items.length / perPage), 1)
  const link = (n: number, rel: string) => {
    const query = new URLSearchParams(req.query)
    query.set("per_page", String(perPage))
    query.set("page", String(n))
    return `<${selfUrl}?${query.toString()}>; rel="${rel}"`
  }
  const links = [
    ...(page > 1 ? [link(page - 1, "prev"), link(1, "first")] : []),
    ...(page < last ? [link(page + 1, "next"), link(last, "last")] : []),
  ]
  return {
    page: items.slice((page - 1) * perPage, page * perPage),
    headers: links.length === 0 ? {} : { link: links.join(", ") },
  }
}
