// A PatchPlane process for crash tests: `node worker-process.ts <cwd>
// <databaseUrl> <executorId> <roles> <agentMs>`. Steps are scripted and log to
// the test_step_log table, so the test sees what ran where, across processes.
import { createDatabase, createPool } from "@patchplane/db"
import { startPatchPlane, type Role } from "../../src/main/start.ts"
import { scriptedSteps } from "./scripted-steps.ts"

const [cwd = ".", databaseUrl = "", executorId = "local", roles = "web,worker", agentMs = "50"] =
  process.argv.slice(2)
const pool = createPool(databaseUrl, { max: 4 })
const steps = scriptedSteps(createDatabase(pool), { agentMs: Number(agentMs), persistLog: true })
const app = await startPatchPlane({
  cwd,
  env: { DATABASE_URL: databaseUrl },
  roles: roles.split(",") as Role[],
  executorId,
  steps,
})
console.log(
  JSON.stringify({
    ready: true,
    url: app.url,
    token: app.localOperator?.token ?? null,
    pid: process.pid,
  }),
)
process.on("SIGTERM", () => void app.stop().then(() => process.exit(0)))
