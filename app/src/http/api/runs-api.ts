// The control API the dashboard, the Action and scripts use:
//   GET  /api/runs?repo=&state=&cursor=&limit=      runs, newest first (keyset pages)
//   GET  /api/runs/:id                              one run with everything about it
//   POST /api/prompts                               start a run (dashboard channel)
//   POST /api/runs/:id/{cancel|interrupt|approve|reject|steer|manual-review|retry}
//   POST /api/runs/:id/stop-rounds                 no further review/CI rounds on its PR
//   POST /api/control/{pause|resume}                the kill switch
import type { IncomingMessage, ServerResponse } from "node:http"
import {
  type Database,
  getRepositoryByFullName,
  getWorkflowRun,
  insertPromptRequest,
  latestRuntimeEvents,
  listWorkflowRuns,
  runDetail,
  type WorkflowRunRow,
} from "@patchplane/db"
import { Effect } from "effect"
import type { ResolvedConfig } from "../../config/load-config.ts"
import { Api, WorkflowRunState } from "@patchplane/domain"
import { sanitizeBounded, TextRefused } from "../../intake/bounded-sanitizer.ts"
import type { ControlError, OrchestratorShape } from "../../orchestration/orchestrator.ts"
import { type Authenticate, type Caller, requireRole } from "../auth/auth.ts"
import { ApiError, readBody, sendAnswer } from "./http-json.ts"
import { stopRoundsOf } from "./stop-rounds.ts"

export interface RunsApiDeps {
  readonly db: Database
  readonly orchestrator: OrchestratorShape
  readonly config: ResolvedConfig
  readonly authenticate: Authenticate
}

const encodeCursor = (run: Pick<WorkflowRunRow, "createdAt" | "id">) =>
  Buffer.from(`${run.createdAt.toISOString()}|${run.id}`).toString("base64url")

const decodeCursor = (cursor: string) => {
  const [at = "", id = ""] = Buffer.from(cursor, "base64url").toString("utf8").split("|")
  const createdAt = new Date(at)
  if (Number.isNaN(createdAt.getTime()) || !/^[0-9a-f-]{36}$/.test(id))
    throw new ApiError(400, "invalid_cursor", "cursor is not one this API returned", "cursor")
  return { createdAt, id }
}

const STATES = new Set<string>(WorkflowRunState.literals)

/** Runs an orchestrator call, turning its typed errors into API errors. */
const control = <A>(effect: Effect.Effect<A, ControlError>): Promise<A> =>
  Effect.runPromise(
    effect.pipe(
      Effect.mapError((error): ApiError => {
        switch (error._tag) {
          case "NotAllowedNow":
            return new ApiError(409, "not_allowed_now", error.message)
          case "IllegalTransition":
          case "StaleTransition":
            return new ApiError(409, "conflict", error.message)
          default:
            return new ApiError(500, "orchestration_error", error.message)
        }
      }),
    ),
  ).catch((error: unknown) => {
    throw error instanceof ApiError ? error : unwrap(error)
  })

/** Effect.runPromise rejects with the failure itself or a wrapper holding it. */
const unwrap = (error: unknown): unknown => {
  if (error instanceof ApiError) return error
  const cause = (error as { cause?: unknown }).cause
  return cause instanceof ApiError ? cause : error
}

const listRuns = async (deps: RunsApiDeps, url: URL): Promise<typeof Api.RunPage.Type> => {
  const limitText = url.searchParams.get("limit") ?? "50"
  const limit = Number(limitText)
  if (!Number.isInteger(limit) || limit < 1 || limit > 200)
    throw new ApiError(400, "invalid_query", "limit must be an integer from 1 to 200", "limit")
  const states = (url.searchParams.get("state") ?? "").split(",").filter((s) => s !== "")
  const bad = states.find((s) => !STATES.has(s))
  if (bad !== undefined) throw new ApiError(400, "invalid_query", `unknown state "${bad}"`, "state")
  const repo = url.searchParams.get("repo")
  let repositoryId: string | undefined
  if (repo !== null && repo !== "") {
    const repository = await getRepositoryByFullName(deps.db, repo)
    if (repository === undefined) return { runs: [], nextCursor: null }
    repositoryId = repository.id
  }
  const cursor = url.searchParams.get("cursor")
  const runs = await listWorkflowRuns(deps.db, {
    limit,
    ...(states.length > 0 ? { states: states as WorkflowRunRow["state"][] } : {}),
    ...(repositoryId === undefined ? {} : { repositoryId }),
    ...(cursor === null || cursor === "" ? {} : { after: decodeCursor(cursor) }),
  })
  const last = runs[runs.length - 1]
  return { runs, nextCursor: runs.length === limit && last ? encodeCursor(last) : null }
}

/** Text for the agent as a reviewer would see it; too long or too costly to read → 400. */
const readable = async (text: string, field: string) => {
  try {
    return await sanitizeBounded(text)
  } catch (error) {
    if (error instanceof TextRefused)
      throw new ApiError(400, "invalid_body", `${field}: ${error.message}`, field)
    throw error
  }
}

const startPrompt = async (
  deps: RunsApiDeps,
  req: IncomingMessage,
  caller: Caller,
): Promise<typeof Api.StartedRun.Type> => {
  requireRole(caller, "reviewer", "starting a run")
  const body = await readBody(req, Api.StartRunBody)
  const repository = await getRepositoryByFullName(deps.db, body.repository)
  if (repository === undefined || !repository.active)
    throw new ApiError(
      404,
      "repository_not_connected",
      `repository ${body.repository} is not connected to PatchPlane`,
      "repository",
    )
  const prompt = await readable(body.prompt, "prompt")
  if (prompt === "") throw new ApiError(400, "invalid_body", "prompt: must not be empty", "prompt")
  const max = deps.config.intake.maxPromptChars
  if (prompt.length > max)
    throw new ApiError(400, "invalid_body", `prompt: longer than ${max} characters`, "prompt")
  const request = await insertPromptRequest(deps.db, {
    repositoryId: repository.id,
    prompt,
    promptRaw: body.prompt,
    sourceChannel: "app",
    targetRef: body.ref ?? repository.defaultBranch,
    initiator: { kind: "dashboard", userId: caller.id, name: caller.name },
    initiatorLogin: caller.name,
  })
  const run = await control(
    deps.orchestrator.enqueue({
      promptRequestId: request.id,
      repositoryId: repository.id,
      actor: caller.id,
    }),
  )
  return { promptRequestId: request.id, runId: run.id }
}

const actOnRun = async (
  deps: RunsApiDeps,
  req: IncomingMessage,
  caller: Caller,
  runId: string,
  action: string,
): Promise<typeof Api.RunRow.Type> => {
  const o = deps.orchestrator
  const actor = caller.name
  requireRole(caller, "reviewer", action)
  switch (action) {
    case "cancel": {
      const { reason } = await readBody(req, Api.ReasonBody)
      return control(o.cancel(runId, actor, reason ?? `cancelled by ${actor}`))
    }
    case "interrupt":
      return control(o.interrupt(runId, actor))
    case "approve":
      return control(o.approve(runId, actor))
    case "reject":
      return control(o.reject(runId, actor, (await readBody(req, Api.ReasonBody)).reason ?? ""))
    case "steer":
      return control(
        o.steer(
          runId,
          actor,
          await readable((await readBody(req, Api.SteerBody)).message, "message"),
        ),
      )
    case "manual-review":
      return control(
        o.manualReview(runId, actor, (await readBody(req, Api.ReasonBody)).reason ?? ""),
      )
    case "retry":
      return control(o.retry(runId, actor))
    case "stop-rounds":
      return stopRoundsOf(deps, runId, actor)
    default:
      throw new ApiError(404, "not_found", `no action ${action}`)
  }
}

/** Events per "Show earlier events" page of the run page's timeline. */
const EARLIER_PAGE = 500

const RUN_PATH = /^\/api\/runs\/([0-9a-f-]{36})(?:\/([a-z-]+))?$/

/** Handles the control API; false when the path is not one of its routes. */
export const handleRunsApi = async (
  deps: RunsApiDeps,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<boolean> => {
  const path = url.pathname
  const method = req.method ?? "GET"
  const isRead = method === "GET" || method === "HEAD"
  if (path === "/api/runs" && isRead) {
    requireRole(deps.authenticate(req), "viewer", "listing runs")
    sendAnswer(res, 200, Api.RunPage, await listRuns(deps, url))
    return true
  }
  if (path === "/api/prompts" && method === "POST") {
    sendAnswer(res, 201, Api.StartedRun, await startPrompt(deps, req, deps.authenticate(req)))
    return true
  }
  if ((path === "/api/control/pause" || path === "/api/control/resume") && method === "POST") {
    const caller = deps.authenticate(req)
    requireRole(caller, "admin", "the kill switch")
    if (path.endsWith("pause")) {
      const body = await readBody(req, Api.PauseBody)
      sendAnswer(
        res,
        200,
        Api.Paused,
        await control(
          deps.orchestrator.pause(caller.name, { cancelRunning: body.cancelRunning ?? false }),
        ),
      )
    } else sendAnswer(res, 200, Api.Resumed, await control(deps.orchestrator.resume(caller.name)))
    return true
  }
  const match = RUN_PATH.exec(path)
  if (match === null) return false
  const [, runId = "", action] = match
  if (action === undefined && isRead) {
    requireRole(deps.authenticate(req), "viewer", "reading a run")
    const detail = await runDetail(deps.db, runId)
    if (detail === undefined) throw new ApiError(404, "not_found", `no run ${runId}`)
    sendAnswer(res, 200, Api.RunDetail, detail)
    return true
  }
  if (action === "earlier-events" && isRead) {
    requireRole(deps.authenticate(req), "viewer", "reading a run")
    const before = Number(url.searchParams.get("before"))
    if (!Number.isInteger(before) || before < 1)
      throw new ApiError(400, "invalid_request", "before must be a positive event seq")
    if ((await getWorkflowRun(deps.db, runId)) === undefined)
      throw new ApiError(404, "not_found", `no run ${runId}`)
    sendAnswer(res, 200, Api.EarlierEvents, {
      events: await latestRuntimeEvents(deps.db, runId, { beforeSeq: before, limit: EARLIER_PAGE }),
    })
    return true
  }
  if (action !== undefined && action !== "events" && method === "POST") {
    const run = await actOnRun(deps, req, deps.authenticate(req), runId, action)
    sendAnswer(res, 200, Api.RunActionAnswer, { run })
    return true
  }
  return false
}
