// PatchPlane under benchmark, in its own process: the full intake (verify,
// record the delivery durably, route, record the outcome) on real PostgreSQL.
import { installModuleFormatHook } from "../src/platform/module-format-hook.ts"

// As `npm start` loads PatchPlane (src/main.ts).
installModuleFormatHook()
const { startPatchPlane } = await import("../src/main/start.ts")

const [cwd, databaseUrl] = process.argv.slice(2)
const app = await startPatchPlane({
  cwd: cwd ?? ".",
  env: { DATABASE_URL: databaseUrl ?? "" },
  roles: ["web"],
})
console.log(JSON.stringify({ url: (app.url ?? "").replace("localhost", "127.0.0.1") }))
process.on("SIGTERM", () => void app.stop().then(() => process.exit(0)))
