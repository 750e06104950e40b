// Git's smart HTTP protocol served by git itself: `git http-backend` runs as a
// CGI script per request, so clone, fetch and push behave exactly as against a
// real server. Authentication is the caller's job; this only speaks the protocol.
import { spawn } from "node:child_process"
import type { IncomingMessage, ServerResponse } from "node:http"

export const readBody = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Array<Buffer> = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** True when the request belongs to a push (receive-pack), which needs write access. */
export const isPushRequest = (pathInfo: string, query: string): boolean =>
  pathInfo.endsWith("/git-receive-pack") || /(^|&)service=git-receive-pack(&|$)/.test(query)

export interface GitBackendRequest {
  /** Directory the repositories live under; `pathInfo` is resolved inside it. */
  readonly projectRoot: string
  /** e.g. `/owner/repo.git/info/refs`. */
  readonly pathInfo: string
  /** The query string without `?`. */
  readonly query: string
  readonly req: IncomingMessage
  readonly body: Buffer
  /** http-backend only accepts pushes from an authenticated user. */
  readonly remoteUser?: string
  /** More environment for git (and the repository's hooks). */
  readonly env?: Readonly<Record<string, string>>
}

/** Runs one request through `git http-backend`; resolves with the status sent. */
export const serveGitHttp = (request: GitBackendRequest, res: ServerResponse): Promise<number> =>
  new Promise((resolve) => {
    const { req } = request
    const cgi = spawn("git", ["http-backend"], {
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        GIT_PROJECT_ROOT: request.projectRoot,
        GIT_HTTP_EXPORT_ALL: "1",
        GIT_CONFIG_NOSYSTEM: "1",
        PATH_INFO: request.pathInfo,
        QUERY_STRING: request.query,
        REQUEST_METHOD: req.method ?? "GET",
        CONTENT_TYPE: req.headers["content-type"] ?? "",
        CONTENT_LENGTH: String(request.body.length),
        HTTP_CONTENT_ENCODING: req.headers["content-encoding"] ?? "",
        GIT_PROTOCOL: String(req.headers["git-protocol"] ?? ""),
        REMOTE_USER: request.remoteUser ?? "x-access-token",
        REMOTE_ADDR: "127.0.0.1",
        ...request.env,
      },
    })
    const out: Array<Buffer> = []
    cgi.stdout.on("data", (chunk: Buffer) => out.push(chunk))
    cgi.stdin.on("error", () => {}) // the backend may exit before reading a refused body
    cgi.stdin.end(request.body)
    cgi.on("close", () => {
      const raw = Buffer.concat(out)
      const split = raw.indexOf("\r\n\r\n")
      const headerEnd = split === -1 ? raw.indexOf("\n\n") : split
      const gap = split === -1 ? 2 : 4
      const headers: Record<string, string> = {}
      let status = 200
      for (const line of raw.subarray(0, Math.max(headerEnd, 0)).toString().split(/\r?\n/)) {
        const colon = line.indexOf(":")
        if (colon === -1) continue
        const name = line.slice(0, colon).trim()
        const value = line.slice(colon + 1).trim()
        if (name.toLowerCase() === "status") status = Number.parseInt(value, 10)
        else headers[name] = value
      }
      if (headerEnd === -1) {
        status = 500
        res.writeHead(status, { "content-type": "text/plain" })
        res.end("git http-backend failed\n")
      } else {
        res.writeHead(status, headers)
        res.end(raw.subarray(headerEnd + gap))
      }
      resolve(status)
    })
  })
