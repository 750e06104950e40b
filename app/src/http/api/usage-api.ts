// What runs cost, for the dashboard:
//   GET /api/runs/:id/usage            tokens, cost and calls of one run, with its budget
//   GET /api/usage?from=YYYY-MM-DD&to=YYYY-MM-DD
//                                      model spend per repository, initiator and UTC day
//                                      (default the last 30 days; `to` inclusive)
import { getWorkflowRun, runUsage, usageReport } from "@patchplane/db"
import { Api } from "@patchplane/domain"
import { requireRole } from "../auth/auth.ts"
import type { ApiRoutes, DashboardApiDeps } from "./dashboard-deps.ts"
import { ApiError, sendAnswer } from "./http-json.ts"

const RUN_USAGE = /^\/api\/runs\/([0-9a-f-]{36})\/usage$/
const DAY = /^\d{4}-\d{2}-\d{2}$/
const DAY_MS = 86_400_000
const MAX_DAYS = 366

const dayParam = (url: URL, name: string): Date | null => {
  const value = url.searchParams.get(name)
  if (value === null || value === "") return null
  const date = new Date(`${value}T00:00:00Z`)
  if (!DAY.test(value) || Number.isNaN(date.getTime()))
    throw new ApiError(400, "invalid_query", `${name} must be a day as YYYY-MM-DD`, name)
  return date
}

export const usageApi =
  (deps: DashboardApiDeps): ApiRoutes =>
  async (req, res, url) => {
    if (req.method !== "GET") return false
    const path = url.pathname
    const run = RUN_USAGE.exec(path)
    if (run !== null) {
      requireRole(deps.authenticate(req), "viewer", "reading a run")
      const runId = run[1] ?? ""
      if ((await getWorkflowRun(deps.db, runId)) === undefined)
        throw new ApiError(404, "not_found", `no run ${runId}`)
      // Before the run has resolved its repository's policy, the defaults apply.
      const usage = await runUsage(deps.db, runId)
      const budgets = deps.config.policy.budgets
      sendAnswer(res, 200, Api.RunUsage, {
        ...usage,
        maxTokens: usage.maxTokens ?? budgets.maxTokens,
        maxCostUsd: usage.maxCostUsd ?? budgets.maxCostUsd,
      })
      return true
    }
    if (path !== "/api/usage") return false
    requireRole(deps.authenticate(req), "viewer", "reading usage")
    const today = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS)
    const lastDay = dayParam(url, "to") ?? today
    const firstDay = dayParam(url, "from") ?? new Date(lastDay.getTime() - 29 * DAY_MS)
    if (firstDay > lastDay) throw new ApiError(400, "invalid_query", "from is after to", "from")
    if ((lastDay.getTime() - firstDay.getTime()) / DAY_MS >= MAX_DAYS)
      throw new ApiError(400, "invalid_query", `at most ${MAX_DAYS} days at a time`, "from")
    sendAnswer(
      res,
      200,
      Api.UsageReport,
      await usageReport(deps.db, firstDay, new Date(lastDay.getTime() + DAY_MS)),
    )
    return true
  }
