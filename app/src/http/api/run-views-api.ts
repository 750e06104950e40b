// Read-only views of runs for the dashboard, beside the control API:
//   GET /api/run-summaries?ids=a,b,c                  prompt, initiator and repository per run
//   GET /api/runs/:id/provenance                      the lineage graph of the run's request
//   GET /api/runs/:id/patch-sets/:patchSetId/diff     the PatchSet's unified diff, when available
import {
  getPatchSet,
  getPatchSetDiff,
  getRepositoryById,
  getWorkflowRun,
  listRunSummaries,
  provenanceRecords,
} from "@patchplane/db"
import { Api } from "@patchplane/domain"
import { requireRole } from "../auth/auth.ts"
import type { ApiRoutes, DashboardApiDeps } from "./dashboard-deps.ts"
import { ApiError, sendAnswer } from "./http-json.ts"
import { buildProvenanceGraph } from "./provenance-graph.ts"

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const PROVENANCE = /^\/api\/runs\/([0-9a-f-]{36})\/provenance$/
const DIFF = /^\/api\/runs\/([0-9a-f-]{36})\/patch-sets\/([0-9a-f-]{36})\/diff$/
const MAX_DIFF_CHARS = 2 * 1024 * 1024

/** Diffs of fixed commits never change: keep a few recent ones. */
const diffCache = new Map<string, string>()
const remember = (key: string, diff: string) => {
  diffCache.set(key, diff)
  if (diffCache.size > 20) diffCache.delete(diffCache.keys().next().value as string)
}

type DiffAnswer = typeof Api.DiffAnswer.Type

const patchSetDiff = async (
  deps: DashboardApiDeps,
  runId: string,
  patchSetId: string,
): Promise<DiffAnswer> => {
  const patch = await getPatchSet(deps.db, patchSetId)
  if (patch === undefined || patch.workflowRunId !== runId)
    throw new ApiError(404, "not_found", `no patch set ${patchSetId} in run ${runId}`)
  // Stored with the PatchSet when it was recorded: no GitHub call, and shown
  // also when the push was refused or the branch has since been deleted.
  const stored = await getPatchSetDiff(deps.db, patchSetId)
  if (stored !== undefined) return answer("stored", stored.diff, stored.truncated)
  // Recorded before diffs were stored: GitHub has it while the run's branch does.
  if (deps.github === null)
    return {
      available: false,
      reason:
        "the diff was not stored with this patch set (recorded before diffs were), and no GitHub App is configured to read it from",
    }
  if (patch.baseSha === null || patch.headSha === null)
    return { available: false, reason: "the patch set has no base and head commits to compare" }
  const key = `${patch.baseSha}...${patch.headSha}`
  const cached = diffCache.get(key)
  if (cached !== undefined) return answer("github", cached)
  const run = await getWorkflowRun(deps.db, runId)
  const target = run === undefined ? undefined : await getRepositoryById(deps.db, run.repositoryId)
  if (target === undefined) throw new ApiError(404, "not_found", `no run ${runId}`)
  try {
    const diff = await deps.github.compareDiff(
      target.installation.installationId,
      target.repository.fullName,
      patch.baseSha,
      patch.headSha,
    )
    remember(key, diff)
    return answer("github", diff)
  } catch (error) {
    deps.log.warn({ err: String(error), patchSetId }, "could not read a diff from GitHub")
    return {
      available: false,
      reason: `GitHub did not return the diff (${(error as { status?: number }).status ?? "no answer"}); the branch may not be pushed, or deleted since`,
    }
  }
}

const answer = (source: "stored" | "github", diff: string, truncated = false): DiffAnswer => ({
  available: true,
  source,
  diff: diff.length > MAX_DIFF_CHARS ? diff.slice(0, MAX_DIFF_CHARS) : diff,
  truncated: truncated || diff.length > MAX_DIFF_CHARS,
})

export const runViewsApi =
  (deps: DashboardApiDeps): ApiRoutes =>
  async (req, res, url) => {
    if (req.method !== "GET") return false
    const path = url.pathname
    if (path === "/api/run-summaries") {
      requireRole(deps.authenticate(req), "viewer", "reading runs")
      const ids = (url.searchParams.get("ids") ?? "").split(",").filter((id) => UUID.test(id))
      if (ids.length > 200)
        throw new ApiError(400, "invalid_query", "at most 200 ids at a time", "ids")
      sendAnswer(res, 200, Api.RunSummaries, { summaries: await listRunSummaries(deps.db, ids) })
      return true
    }
    const provenance = PROVENANCE.exec(path)
    if (provenance !== null) {
      requireRole(deps.authenticate(req), "viewer", "reading a run")
      const runId = provenance[1] ?? ""
      const records = await provenanceRecords(deps.db, runId)
      if (records === undefined) throw new ApiError(404, "not_found", `no run ${runId}`)
      sendAnswer(res, 200, Api.ProvenanceGraph, buildProvenanceGraph(records, runId))
      return true
    }
    const diff = DIFF.exec(path)
    if (diff !== null) {
      requireRole(deps.authenticate(req), "viewer", "reading a run")
      sendAnswer(res, 200, Api.DiffAnswer, await patchSetDiff(deps, diff[1] ?? "", diff[2] ?? ""))
      return true
    }
    return false
  }
