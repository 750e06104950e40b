// What the agent saw, and the rounds it belongs to, for the run page:
//   GET /api/runs/:id/context   the stored context (parts, sizes, truncations,
//                               digest) and the exact prompt the model was given
//   GET /api/runs/:id/rounds    the chain of rounds (iterates edges) the run is in,
//                               CI triage on them (flaky, repaired, stopped), and
//                               whether an operator stopped the chain
import {
  ciTriageOf,
  costOfRuns,
  getRunContext,
  getWorkflowRun,
  roundsAround,
  roundsStop,
} from "@patchplane/db"
import { Api } from "@patchplane/domain"
import { requireRole } from "../auth/auth.ts"
import type { ApiRoutes, DashboardApiDeps } from "./dashboard-deps.ts"
import { ApiError, sendAnswer } from "./http-json.ts"

const CONTEXT = /^\/api\/runs\/([0-9a-f-]{36})\/context$/
const ROUNDS = /^\/api\/runs\/([0-9a-f-]{36})\/rounds$/

export const runContextApi =
  (deps: DashboardApiDeps): ApiRoutes =>
  async (req, res, url) => {
    const rounds = req.method === "GET" ? ROUNDS.exec(url.pathname) : null
    if (rounds !== null) {
      requireRole(deps.authenticate(req), "viewer", "reading a run")
      const runId = rounds[1] ?? ""
      if ((await getWorkflowRun(deps.db, runId)) === undefined)
        throw new ApiError(404, "not_found", `no run ${runId}`)
      const chain = await roundsAround(deps.db, runId)
      const runs = await Promise.all(chain.map((id) => getWorkflowRun(deps.db, id)))
      const triage = await ciTriageOf(deps.db, chain)
      const stop = await roundsStop(deps.db, runId)
      const costs = await costOfRuns(deps.db, chain)
      sendAnswer(res, 200, Api.RunRounds, {
        stopped: stop === undefined ? null : { by: stop.actor, at: stop.at, runId: stop.runId },
        rounds: runs.flatMap((run, index) =>
          run === undefined
            ? []
            : [
                {
                  round: index + 1,
                  id: run.id,
                  state: run.state,
                  reason: run.reason,
                  tokens: costs.get(run.id)?.tokens ?? 0,
                  costUsd: costs.get(run.id)?.costUsd ?? 0,
                },
              ],
        ),
        ci: triage.map((t) => ({
          runId: t.workflowRunId,
          workflow: t.workflowName,
          headSha: t.headSha,
          outcome: t.outcome,
          repairRunId: t.repairRunId,
        })),
      })
      return true
    }
    const match = req.method === "GET" ? CONTEXT.exec(url.pathname) : null
    if (match === null) return false
    requireRole(deps.authenticate(req), "viewer", "reading a run")
    const runId = match[1] ?? ""
    if ((await getWorkflowRun(deps.db, runId)) === undefined)
      throw new ApiError(404, "not_found", `no run ${runId}`)
    const context = await getRunContext(deps.db, runId)
    sendAnswer(res, 200, Api.RunContextAnswer, {
      context:
        context === undefined
          ? null
          : {
              digest: context.digest,
              prompt: context.prompt,
              parts: context.parts,
              omitted: context.omitted,
              totalChars: context.totalChars,
              createdAt: context.createdAt,
            },
    })
    return true
  }
