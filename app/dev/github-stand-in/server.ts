// The HTTP front door: records every request, applies injected faults, sends
// /api/v3 (and /api/graphql) to the REST router with GitHub's headers, and
// git smart-HTTP paths to git http-backend after checking the token the way
// GitHub does (basic auth, token's repositories, contents read/write).
import { randomBytes } from "node:crypto"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import { allows, basicPassword, callerOf, tokenCaller, type AuthSettings } from "./app-auth.ts"
import { tokenSeesRepo, type Context } from "./context.ts"
import { isPushRequest, readBody, serveGitHttp } from "./git-http.ts"
import { listBranches } from "./repo-git.ts"
import { markNewBranch } from "./state.ts"
import { HttpError, match, type Reply, type Route } from "./router.ts"
import {
  checkGraphql,
  checkRequest,
  checkResponse,
  githubWording,
  type Mismatch,
} from "./conformance.ts"

export interface RecordedRequest {
  readonly method: string
  /** The REST path as in GitHub's docs (no `/api/v3`), `/graphql`, or the git path. */
  readonly path: string
  readonly query: Readonly<Record<string, string>>
  /** The parsed JSON body, or null (git requests, empty or non-JSON bodies). */
  readonly body: unknown
  /** The status answered; 0 while the answer is still being produced. */
  status: number
  /**
   * The installation token a git request authenticated with (its Basic
   * password), so a test can try it again later, e.g. after a revocation.
   */
  readonly gitToken: string | null
}

export interface FailureRule {
  readonly method: string
  readonly path: RegExp
  readonly status: number
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: unknown
  /** How many matching requests fail (default 1). */
  readonly times?: number
}

interface ArmedRule {
  readonly rule: FailureRule
  remaining: number
}

const GIT_PATH =
  /^\/([^/]+)\/([^/]+?)(?:\.git)?(\/(?:info\/refs|HEAD|git-upload-pack|git-receive-pack|objects\/.+))$/

const parseJson = (raw: Buffer): { ok: true; value: unknown } | { ok: false } => {
  if (raw.length === 0) return { ok: true, value: null }
  try {
    return { ok: true, value: JSON.parse(raw.toString("utf8")) }
  } catch {
    return { ok: false }
  }
}

const send = (res: ServerResponse, reply: Reply, base: Record<string, string>) => {
  const text = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body)
  const headers: Record<string, string> = {
    ...base,
    ...(typeof reply.body === "string"
      ? {}
      : { "content-type": "application/json; charset=utf-8" }),
    ...reply.headers,
  }
  res.writeHead(reply.status, headers)
  res.end(reply.status === 204 || reply.status === 304 ? undefined : text)
}

export interface StandInServer {
  readonly server: Server
  readonly requests: Array<RecordedRequest>
  /** Where requests or responses departed from GitHub's published description. */
  readonly mismatches: Array<Mismatch>
  failNext(rule: FailureRule): void
}

export const createStandInServer = (input: {
  readonly ctx: Context
  readonly routes: ReadonlyArray<Route>
  readonly auth: AuthSettings
  /** Where the bare repositories live, as `<root>/<owner>/<name>.git`. */
  readonly projectRoot: string
}): StandInServer => {
  const { ctx, routes, auth, projectRoot } = input
  const requests: Array<RecordedRequest> = []
  const mismatches: Array<Mismatch> = []
  const armed: Array<ArmedRule> = []
  const used = new Map<string, number>()
  const resetAt = Math.floor(Date.now() / 1000) + 3600

  const githubHeaders = (rateKey: string, resource: string): Record<string, string> => {
    const count = (used.get(rateKey) ?? 0) + 1
    used.set(rateKey, count)
    return {
      "x-github-request-id": randomBytes(8).toString("hex").toUpperCase(),
      "x-github-media-type": "github.v3; format=json",
      "x-github-api-version-selected": "2022-11-28",
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": String(Math.max(5000 - count, 0)),
      "x-ratelimit-reset": String(resetAt),
      "x-ratelimit-used": String(count),
      "x-ratelimit-resource": resource,
    }
  }

  const injected = (method: string, path: string): FailureRule | null => {
    const index = armed.findIndex(
      (a) => a.rule.method.toUpperCase() === method && a.rule.path.test(path),
    )
    const hit = armed[index]
    if (hit === undefined) return null
    hit.remaining -= 1
    if (hit.remaining <= 0) armed.splice(index, 1)
    return hit.rule
  }

  const handleApi = async (
    req: IncomingMessage,
    method: string,
    path: string,
    query: URLSearchParams,
    body: unknown,
  ): Promise<{ reply: Reply; headers: Record<string, string> }> => {
    const caller = callerOf(req.headers.authorization, ctx.store, auth)
    const rateKey = caller.kind === "installation" ? caller.token.token : caller.kind
    const headers = githubHeaders(rateKey, path === "/graphql" ? "graphql" : "core")
    if (caller.kind === "invalid")
      return {
        reply: { status: 401, body: new HttpError(401, { message: caller.message }).body },
        headers,
      }
    const found = match(routes, method, path)
    if (found === null)
      return {
        reply: {
          status: 404,
          body: {
            message: "Not Found",
            documentation_url: "https://docs.github.com/rest",
            status: "404",
          },
        },
        headers,
      }
    try {
      const reply = await found.route.handler({
        method,
        path,
        params: found.params,
        query,
        body,
        headers: req.headers,
        caller,
      })
      return { reply, headers }
    } catch (error) {
      if (error instanceof HttpError)
        return {
          reply: { status: error.status, body: error.body, headers: error.headers },
          headers,
        }
      console.error("github stand-in:", error)
      return { reply: { status: 500, body: { message: "Server Error" } }, headers }
    }
  }

  const handleGit = async (
    req: IncomingMessage,
    res: ServerResponse,
    parts: { owner: string; name: string; rest: string; query: string; body: Buffer },
  ): Promise<number> => {
    const plain = (status: number, text: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "text/plain; charset=utf-8", ...headers })
      res.end(text)
      return status
    }
    const password = basicPassword(req.headers.authorization)
    const caller = password === null ? null : tokenCaller(password, ctx.store)
    if (caller === null || caller.kind !== "installation")
      return plain(
        401,
        "Invalid username or token. Password authentication is not supported for Git operations.\n",
        {
          "www-authenticate": 'Basic realm="GitHub"',
        },
      )
    const repo = ctx.store.repository(`${parts.owner}/${parts.name}`)
    if (repo === undefined || !tokenSeesRepo(caller.token, repo))
      return plain(404, "Repository not found.\n")
    const push = isPushRequest(parts.rest, parts.query)
    if (!allows(caller.token.permissions.contents, push ? "write" : "read"))
      return plain(403, `Permission to ${repo.fullName}.git denied to x-access-token.\n`)
    const before = push ? new Set(await listBranches(repo.dir)) : null
    const status = await serveGitHttp(
      {
        projectRoot,
        pathInfo: `/${repo.fullName}.git${parts.rest}`,
        query: parts.query,
        req,
        body: parts.body,
        // The workflow-file push rule (refusals.ts) reads the token's permission.
        env: { STAND_IN_WORKFLOWS: caller.token.permissions.workflows ?? "none" },
      },
      res,
    )
    if (before !== null) {
      const visibleAt = Date.now() + ctx.newBranchDelayMs
      for (const branch of await listBranches(repo.dir))
        if (!before.has(branch)) markNewBranch(repo, branch, visibleAt)
    }
    return status
  }

  const server = createServer((req, res) => {
    // A broken request must answer 500, not take the test process down.
    handle(req, res).catch((error: unknown) => {
      console.error("github stand-in:", error)
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" })
      res.end('{"message":"Server Error"}')
    })
  })

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1")
    const method = (req.method ?? "GET").toUpperCase()
    const raw = await readBody(req)
    const api = url.pathname === "/api/v3" || url.pathname.startsWith("/api/v3/")
    const graphql = url.pathname === "/api/graphql"
    const path = graphql
      ? "/graphql"
      : api
        ? url.pathname.slice("/api/v3".length) || "/"
        : url.pathname
    const git = api || graphql ? null : GIT_PATH.exec(url.pathname)
    const parsed = git === null ? parseJson(raw) : ({ ok: true, value: null } as const)
    const record: RecordedRequest = {
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      body: parsed.ok ? parsed.value : null,
      status: 0,
      gitToken: git === null ? null : basicPassword(req.headers.authorization),
    }
    requests.push(record)
    const fault = injected(method, path)
    if (fault !== null) {
      record.status = fault.status
      send(
        res,
        {
          status: fault.status,
          body: fault.body ?? {
            message: `Injected ${fault.status}`,
            documentation_url: "https://docs.github.com/rest",
          },
          headers: fault.headers ?? {},
        },
        githubHeaders("fault", "core"),
      )
      return
    }
    if (git !== null) {
      record.status = await handleGit(req, res, {
        owner: git[1] ?? "",
        name: git[2] ?? "",
        rest: git[3] ?? "",
        query: url.search.slice(1),
        body: raw,
      })
      return
    }
    if (!api && !graphql) {
      record.status = 404
      send(
        res,
        {
          status: 404,
          body: { message: "Not Found", documentation_url: "https://docs.github.com/rest" },
        },
        {},
      )
      return
    }
    if (!parsed.ok) {
      record.status = 400
      send(
        res,
        {
          status: 400,
          body: {
            message: "Problems parsing JSON",
            documentation_url: "https://docs.github.com/rest",
            status: "400",
          },
        },
        githubHeaders("anonymous", "core"),
      )
      return
    }
    const { reply, headers } = await conforming(req, method, path, url.searchParams, parsed.value)
    record.status = reply.status
    send(res, reply, headers)
  }

  // GitHub refuses bodies its description does not allow (422) and answers
  // invalid GraphQL documents with errors; either means our app sent what
  // GitHub would refuse, so it is recorded as well as refused.
  const conforming = async (
    req: IncomingMessage,
    method: string,
    path: string,
    query: URLSearchParams,
    body: unknown,
  ): Promise<{ reply: Reply; headers: Record<string, string> }> => {
    const before =
      path === "/graphql"
        ? await checkGraphql((body as { query?: unknown } | null)?.query)
        : checkRequest(method, path, body)
    if (before !== null && before.kind !== "unknown-operation") {
      mismatches.push(before)
      const refusal: Reply =
        before.kind === "graphql"
          ? { status: 200, body: { errors: [{ message: before.detail }] } }
          : {
              status: 422,
              body: new HttpError(422, { message: `Invalid request.\n\n${githubWording(before)}` })
                .body,
            }
      return { reply: refusal, headers: githubHeaders("invalid", "core") }
    }
    const answer = await handleApi(req, method, path, query, body)
    if (before?.kind === "unknown-operation" && answer.reply.status < 400) mismatches.push(before)
    // Diff, patch and raw media types answer text, which the JSON schemas do not describe.
    if (path !== "/graphql" && typeof answer.reply.body !== "string") {
      const after = checkResponse(method, path, answer.reply.status, answer.reply.body)
      if (after !== null) mismatches.push(after)
    }
    return answer
  }

  return {
    server,
    requests,
    mismatches,
    failNext: (rule) => armed.push({ rule, remaining: rule.times ?? 1 }),
  }
}
