// A loopback stand-in for the GitHub REST API, answering what the dashboard
// asks (installation tokens, the App, a repo's policy file, compare diffs,
// webhook redeliveries, the App-manifest conversion) and accepting whatever
// else PatchPlane writes (comments, check runs) with an empty success.
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"

export interface FakeGitHub {
  readonly url: string
  readonly calls: string[]
  /** Files by "owner/repo:path". */
  readonly files: Map<string, string>
  /** Diffs by "owner/repo:base...head". */
  readonly diffs: Map<string, string>
  /** Recent deliveries GitHub knows: guid → numeric id. */
  readonly deliveries: Map<string, number>
  readonly redelivered: number[]
  close(): Promise<void>
}

export const startFakeGitHub = async (): Promise<FakeGitHub> => {
  const calls: string[] = []
  const files = new Map<string, string>()
  const diffs = new Map<string, string>()
  const deliveries = new Map<string, number>()
  const redelivered: number[] = []
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://fake")
    const path = decodeURIComponent(url.pathname).replace(/^\/api\/v3/, "")
    calls.push(`${req.method} ${path}`)
    req.resume()
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { "content-type": "application/json" })
      res.end(JSON.stringify(value))
    }
    let match: RegExpExecArray | null
    if (req.method === "POST" && /^\/app\/installations\/\d+\/access_tokens$/.test(path))
      return json(201, {
        token: "ghs_fake_installation_token",
        expires_at: new Date(Date.now() + 3_600_000).toISOString(),
        permissions: { contents: "read" },
        repository_selection: "all",
      })
    if (req.method === "GET" && path === "/app")
      return json(200, { id: 4242, slug: "patchplane-test", name: "PatchPlane test" })
    if ((match = /^\/repos\/([^/]+\/[^/]+)\/contents\/(.+)$/.exec(path)) && req.method === "GET") {
      const text = files.get(`${match[1]}:${match[2]}`)
      if (text === undefined) return json(404, { message: "Not Found" })
      return json(200, {
        type: "file",
        encoding: "base64",
        path: match[2],
        content: Buffer.from(text).toString("base64"),
      })
    }
    if ((match = /^\/repos\/([^/]+\/[^/]+)\/compare\/(.+)$/.exec(path)) && req.method === "GET") {
      const diff = diffs.get(`${match[1]}:${match[2]}`)
      if (diff === undefined) return json(404, { message: "Not Found" })
      res.writeHead(200, { "content-type": "text/plain; charset=utf-8" })
      return res.end(diff)
    }
    if (req.method === "GET" && path === "/app/hook/deliveries")
      return json(
        200,
        [...deliveries].map(([guid, id]) => ({
          id,
          guid,
          event: "issue_comment",
          status_code: 500,
        })),
      )
    if (
      (match = /^\/app\/hook\/deliveries\/(\d+)\/attempts$/.exec(path)) &&
      req.method === "POST"
    ) {
      redelivered.push(Number(match[1]))
      return json(202, {})
    }
    if ((match = /^\/app-manifests\/(\w+)\/conversions$/.exec(path)) && req.method === "POST")
      return json(201, {
        id: 777,
        slug: "patchplane-registered",
        name: "PatchPlane",
        html_url: "https://github.com/apps/patchplane-registered",
        pem: "-----BEGIN RSA PRIVATE KEY-----\nfake\n-----END RSA PRIVATE KEY-----\n",
        webhook_secret: "whsec_fake_secret",
        client_id: "Iv1.fake",
        client_secret: "fake-client-secret",
      })
    if (req.method === "GET") return json(404, { message: "Not Found" })
    return json(201, { id: 1 })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    files,
    diffs,
    deliveries,
    redelivered,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
