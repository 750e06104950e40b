// Baseline for the webhook-ingest benchmark: a bare Probot app with a no-op
// handler, mounted the way Probot documents (createNodeMiddleware). It imports
// Probot directly because it IS the thing we compare against.
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { createNodeMiddleware, Probot } from "probot"

const [privateKeyPath, secret] = process.argv.slice(2)
const { readFile } = await import("node:fs/promises")
const probot = new Probot({
  appId: 1,
  privateKey: await readFile(privateKeyPath ?? "", "utf8"),
  secret: secret ?? "",
  logLevel: "fatal",
})
const middleware = await createNodeMiddleware(
  (app) => {
    app.onAny(async () => {})
  },
  { probot, webhooksPath: "/api/github/webhooks" },
)
const server = createServer((req, res) => {
  void middleware(req, res, () => {
    res.writeHead(404).end()
  })
})
server.listen(0, "127.0.0.1", () => {
  console.log(JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }))
})
process.on("SIGTERM", () => server.close(() => process.exit(0)))
