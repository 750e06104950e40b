// `npm start`: the whole control plane in one process, on embedded defaults
// unless configured. `npm start -- --role=web` or `--role=worker
// --executor-id=worker-2` run one role, for a scaled-out deployment.
// SIGTERM/SIGINT close HTTP, stop the engine, end the pool and stop the
// embedded server, in that order.
import { installModuleFormatHook } from "./platform/module-format-hook.ts"
import type { Role } from "./main/start.ts"

// Before anything reaches drizzle-orm (see the hook for why): start.ts is loaded after it.
installModuleFormatHook()
const { startPatchPlane } = await import("./main/start.ts")

// The Node.js version is checked before this file loads: app/bin/require-node.js
// (an older Node cannot load a .ts file at all).

const argument = (name: string) =>
  process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3)

const rolesFromArgs = (): Role[] => {
  const role = argument("role") ?? "all"
  if (role === "all") return ["web", "worker"]
  if (role === "web" || role === "worker") return [role]
  console.error(`--role must be web, worker or all (got "${role}")`)
  process.exit(1)
}

/** What a newcomer does next, after the "is up" line: one step a line. */
const nextSteps = (config: Awaited<ReturnType<typeof startPatchPlane>>["config"]) => [
  "  Watch the whole loop on local stand-ins (GitHub, model): npm run demo",
  ...(config.github === null ? ["  Connect GitHub (create the App): see docs/github-app.md"] : []),
  ...(config.unconfigured.some((part) => part.includes("model"))
    ? ["  Choose the model agents use: see docs/model.md"]
    : []),
  "  Stop: Ctrl-C",
]

/** A stop that has not finished by then is forced: Ctrl-C must end the process. */
const STOP_DEADLINE_MS = 10_000

const main = async () => {
  const executorId = argument("executor-id")
  const starting = startPatchPlane({
    roles: rolesFromArgs(),
    ...(executorId === undefined ? {} : { executorId }),
  })

  // Installed before start-up finishes, so Ctrl-C during start-up stops what
  // has started; a second Ctrl-C (or SIGTERM) exits at once.
  let stopping = false
  const shutdown = async (signal: string) => {
    if (stopping) {
      console.error(`${signal} received again: exiting now`)
      process.exit(130)
    }
    stopping = true
    console.log(`${signal} received: shutting down (Ctrl-C again to force)`)
    setTimeout(() => {
      console.error(`PatchPlane did not stop within ${STOP_DEADLINE_MS / 1000} s; exiting`)
      process.exit(1)
    }, STOP_DEADLINE_MS).unref()
    const started = await starting.catch(() => null)
    await started?.stop()
    console.log("PatchPlane stopped")
    process.exit(0)
  }
  process.on("SIGTERM", () => void shutdown("SIGTERM"))
  process.on("SIGINT", () => void shutdown("SIGINT"))

  let app: Awaited<typeof starting>
  try {
    app = await starting
  } catch (error) {
    if (stopping) return
    console.error(`PatchPlane could not start.\n${error instanceof Error ? error.message : error}`)
    process.exit(1)
  }
  if (stopping) return
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
  if (url !== null) console.log(nextSteps(config).join("\n"))
}

await main()
