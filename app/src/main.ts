// `npm start`: load config → start/connect PostgreSQL and migrate → serve HTTP.
// SIGTERM/SIGINT close HTTP, end the pool and stop the embedded server, in order.
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { Effect, Layer, ManagedRuntime } from "effect"
import { AppConfig } from "./platform/app-config.ts"
import { Database } from "./platform/database.ts"
import { createRequestHandler } from "./server/http-server.ts"

const MIN_NODE = [22, 11] as const

const checkNode = () => {
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number)
  if (major < MIN_NODE[0] || (major === MIN_NODE[0] && minor < MIN_NODE[1])) {
    console.error(
      `PatchPlane needs Node.js >= ${MIN_NODE.join(".")} (24 LTS recommended); this is ${process.version}.`,
    )
    process.exit(1)
  }
}

const main = async () => {
  checkNode()
  const runtime = ManagedRuntime.make(Database.layer.pipe(Layer.provideMerge(AppConfig.layer())))
  let services: { config: AppConfig["Service"]; database: Database["Service"] }
  try {
    services = await runtime.runPromise(Effect.all({ config: AppConfig, database: Database }))
  } catch (error) {
    console.error(`PatchPlane could not start.\n${error instanceof Error ? error.message : error}`)
    await runtime.dispose()
    process.exit(1)
  }
  const { config, database } = services
  const server = createServer(createRequestHandler({ config, database }))
  server.requestTimeout = 30_000
  server.headersTimeout = 15_000
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(config.server.port, config.server.host, () => resolve())
  }).catch(async (error: unknown) => {
    console.error(
      `PatchPlane could not listen on ${config.server.host}:${config.server.port}: ${error}`,
    )
    await runtime.dispose()
    process.exit(1)
  })

  const { port } = server.address() as AddressInfo
  const host = ["127.0.0.1", "0.0.0.0", "::", "::1"].includes(config.server.host)
    ? "localhost"
    : config.server.host
  const url = `http://${host}:${port}`
  const missing =
    config.unconfigured.length === 0
      ? ""
      : ` Not configured: ${config.unconfigured.join(", ")} (webhooks are refused until the GitHub App is set up; see README "Configuration").`
  console.log(
    `PatchPlane is up on ${url} (database: ${database.kind}, ${database.location}).${missing} Next: open ${url} or curl ${url}/api/health`,
  )

  let stopping = false
  const shutdown = async (signal: string) => {
    if (stopping) return
    stopping = true
    console.log(`${signal} received: shutting down`)
    await new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeIdleConnections()
    })
    await runtime.dispose()
    console.log("PatchPlane stopped")
    process.exit(0)
  }
  process.on("SIGTERM", () => void shutdown("SIGTERM"))
  process.on("SIGINT", () => void shutdown("SIGINT"))
}

await main()
