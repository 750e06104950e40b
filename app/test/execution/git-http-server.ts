// A loopback git smart-HTTP server that, like GitHub, wants
// `x-access-token:<token>` as basic auth for one fixed token. It records the
// Authorization header of every request. The protocol itself is the GitHub
// stand-in's (git's own http-backend as CGI).
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { readBody, serveGitHttp } from "../../dev/github-stand-in/git-http.ts"

export interface GitHttpServer {
  readonly url: string
  readonly authorizations: Array<string | undefined>
  close(): Promise<void>
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
    await serveGitHttp(
      { projectRoot, pathInfo: url.pathname, query: url.search.slice(1), req, body },
      res,
    )
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    authorizations,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
