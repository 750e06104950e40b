// A loopback git smart-HTTP server (git's own http-backend as CGI) that, like
// GitHub, wants `x-access-token:<token>` as basic auth. It records the
// Authorization header of every request.
import { spawn } from "node:child_process"
import { createServer, type IncomingMessage, type Server } from "node:http"
import type { AddressInfo } from "node:net"

export interface GitHttpServer {
  readonly url: string
  readonly authorizations: Array<string | undefined>
  close(): Promise<void>
}

const readBody = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Array<Buffer> = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

export const startGitHttpServer = async (
  projectRoot: string,
  token: string,
): Promise<GitHttpServer> => {
  const authorizations: Array<string | undefined> = []
  const expected = `basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`
  const server: Server = createServer(async (req, res) => {
    authorizations.push(req.headers.authorization)
    if (req.headers.authorization?.toLowerCase() !== expected.toLowerCase()) {
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="test"' })
      res.end("unauthorized")
      return
    }
    const url = new URL(req.url ?? "/", "http://localhost")
    const body = await readBody(req)
    const cgi = spawn("git", ["http-backend"], {
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        GIT_PROJECT_ROOT: projectRoot,
        GIT_HTTP_EXPORT_ALL: "1",
        PATH_INFO: url.pathname,
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: req.method ?? "GET",
        CONTENT_TYPE: req.headers["content-type"] ?? "",
        CONTENT_LENGTH: String(body.length),
        HTTP_CONTENT_ENCODING: req.headers["content-encoding"] ?? "",
        GIT_PROTOCOL: String(req.headers["git-protocol"] ?? ""),
        REMOTE_USER: "x-access-token",
        REMOTE_ADDR: "127.0.0.1",
      },
    })
    const out: Array<Buffer> = []
    cgi.stdout.on("data", (chunk: Buffer) => out.push(chunk))
    cgi.stdin.end(body)
    cgi.on("close", () => {
      const raw = Buffer.concat(out)
      const split = raw.indexOf("\r\n\r\n")
      const headerEnd = split === -1 ? raw.indexOf("\n\n") : split
      const gap = split === -1 ? 2 : 4
      const headers: Record<string, string> = {}
      let status = 200
      for (const line of raw.subarray(0, headerEnd).toString().split(/\r?\n/)) {
        const colon = line.indexOf(":")
        if (colon === -1) continue
        const name = line.slice(0, colon).trim()
        const value = line.slice(colon + 1).trim()
        if (name.toLowerCase() === "status") status = Number.parseInt(value, 10)
        else headers[name] = value
      }
      res.writeHead(status, headers)
      res.end(raw.subarray(headerEnd + gap))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    authorizations,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
