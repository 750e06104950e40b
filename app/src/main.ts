// `npm start`: the whole control plane in one process, on embedded defaults
// unless configured. `npm start -- --role=web` or `--role=worker
// --executor-id=worker-2` run one role, for a scaled-out deployment.
// SIGTERM/SIGINT close HTTP, stop the engine, end the pool and stop the
// embedded server, in that order.
import { type Role, startPatchPlane } from "./server/start.ts"

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

const argument = (name: string) =>
  process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3)

const rolesFromArgs = (): Role[] => {
  const role = argument("role") ?? "all"
  if (role === "all") return ["web", "worker"]
  if (role === "web" || role === "worker") return [role]
  console.error(`--role must be web, worker or all (got "${role}")`)
  process.exit(1)
}

const main = async () => {
  checkNode()
  let app: Awaited<ReturnType<typeof startPatchPlane>>
  const executorId = argument("executor-id")
  try {
    app = await startPatchPlane({
      roles: rolesFromArgs(),
      ...(executorId === undefined ? {} : { executorId }),
    })
  } catch (error) {
    console.error(`PatchPlane could not start.\n${error instanceof Error ? error.message : error}`)
    process.exit(1)
  }
  const { url, config, database, engine, localOperator } = app
  if (url === null) {
    console.log(
      `PatchPlane worker ${engine.executorId} is executing runs (database: ${database.kind}, ${database.location}).`,
    )
  }
  const missing =
    config.unconfigured.length === 0
      ? ""
      : ` Not configured: ${config.unconfigured.join(", ")}${config.github === null ? " (webhooks are refused until the GitHub App is set up" : " (runs cannot execute until these are set"}; see README "Configuration").`
  if (url !== null)
    console.log(
      `PatchPlane is up on ${url} (database: ${database.kind}, ${database.location}).${missing} Next: open ${localOperator?.signInUrl ?? url} or curl ${url}/api/health`,
    )
  // The URL carries this start's operator token: only whoever can read this output signs in.
  if (localOperator !== null)
    console.log(
      `Local operator sign-in (a new token at every start): ${localOperator.signInUrl}\nScripts: Authorization: Bearer ${localOperator.token}`,
    )

  let stopping = false
  const shutdown = async (signal: string) => {
    if (stopping) return
    stopping = true
    console.log(`${signal} received: shutting down`)
    await app.stop()
    console.log("PatchPlane stopped")
    process.exit(0)
  }
  process.on("SIGTERM", () => void shutdown("SIGTERM"))
  process.on("SIGINT", () => void shutdown("SIGINT"))
}

await main()
