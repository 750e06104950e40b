// What the agent saw, for the run page:
//   GET /api/runs/:id/context   the stored context (parts, sizes, truncations,
//                               digest) and the exact prompt the model was given
import { getRunContext, getWorkflowRun } from "@patchplane/db"
import { requireRole } from "./auth.ts"
import type { ApiRoutes, DashboardApiDeps } from "./dashboard-deps.ts"
import { ApiError, sendJson } from "./http-json.ts"

const CONTEXT = /^\/api\/runs\/([0-9a-f-]{36})\/context$/

export const runContextApi =
  (deps: DashboardApiDeps): ApiRoutes =>
  async (req, res, url) => {
    const match = req.method === "GET" ? CONTEXT.exec(url.pathname) : null
    if (match === null) return false
    requireRole(deps.authenticate(req), "viewer", "reading a run")
    const runId = match[1] ?? ""
    if ((await getWorkflowRun(deps.db, runId)) === undefined)
      throw new ApiError(404, "not_found", `no run ${runId}`)
    const context = await getRunContext(deps.db, runId)
    sendJson(res, 200, {
      context:
        context === undefined
          ? null
          : {
              digest: context.digest,
              prompt: context.prompt,
              parts: context.parts,
              omitted: context.omitted,
              totalChars: context.totalChars,
              createdAt: context.createdAt.toISOString(),
            },
    })
    return true
  }
