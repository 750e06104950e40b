// Webhook deliveries, for diagnosing the intake:
//   GET  /api/deliveries?outcome=&repo=&cursor=&limit=   newest first (keyset pages)
//   POST /api/deliveries/:deliveryId/replay             admin: ask GitHub to send a
//        failed delivery again. The intake redoes a failed delivery's work and never
//        makes a second PromptRequest for one delivery, so a replay is idempotent;
//        one that already produced a request is answered without asking GitHub.
import { getDeliveryWithRequest, listDeliveries } from "@patchplane/db"
import { Api } from "@patchplane/domain"
import { requireRole } from "../auth/auth.ts"
import type { ApiRoutes, DashboardApiDeps } from "./dashboard-deps.ts"
import { ApiError, sendAnswer } from "./http-json.ts"

const OUTCOMES = new Set<string>(Api.DeliveryOutcome.literals)
const REPLAY = /^\/api\/deliveries\/([\w-]{1,100})\/replay$/

const encodeCursor = (row: { receivedAt: Date; id: string }) =>
  Buffer.from(`${row.receivedAt.toISOString()}|${row.id}`).toString("base64url")

const decodeCursor = (cursor: string) => {
  const [at = "", id = ""] = Buffer.from(cursor, "base64url").toString("utf8").split("|")
  const receivedAt = new Date(at)
  if (Number.isNaN(receivedAt.getTime()) || !/^[0-9a-f-]{36}$/.test(id))
    throw new ApiError(400, "invalid_cursor", "cursor is not one this API returned", "cursor")
  return { receivedAt, id }
}

const list = async (deps: DashboardApiDeps, url: URL): Promise<typeof Api.DeliveryPage.Type> => {
  const limit = Number(url.searchParams.get("limit") ?? "50")
  if (!Number.isInteger(limit) || limit < 1 || limit > 200)
    throw new ApiError(400, "invalid_query", "limit must be an integer from 1 to 200", "limit")
  const outcome = url.searchParams.get("outcome") ?? ""
  if (outcome !== "" && !OUTCOMES.has(outcome))
    throw new ApiError(400, "invalid_query", `unknown outcome "${outcome}"`, "outcome")
  const repo = url.searchParams.get("repo") ?? ""
  const cursor = url.searchParams.get("cursor") ?? ""
  const rows = await listDeliveries(deps.db, {
    limit,
    ...(outcome === "" ? {} : { outcome }),
    ...(repo === "" ? {} : { repository: repo }),
    ...(cursor === "" ? {} : { after: decodeCursor(cursor) }),
  })
  const last = rows[rows.length - 1]
  return { deliveries: rows, nextCursor: rows.length === limit && last ? encodeCursor(last) : null }
}

const replay = async (
  deps: DashboardApiDeps,
  deliveryId: string,
): Promise<typeof Api.ReplayAnswer.Type> => {
  const found = await getDeliveryWithRequest(deps.db, deliveryId)
  if (found === undefined) throw new ApiError(404, "not_found", `no delivery ${deliveryId}`)
  if (found.promptRequestId !== null)
    return {
      replayed: false,
      message: `delivery ${deliveryId} already produced PromptRequest ${found.promptRequestId}; nothing to replay`,
      promptRequestId: found.promptRequestId,
    }
  if (found.delivery.outcome !== "failed")
    throw new ApiError(
      409,
      "not_allowed_now",
      `delivery ${deliveryId} is ${found.delivery.outcome}; only failed deliveries are replayed`,
    )
  if (deps.github === null)
    throw new ApiError(409, "github_unconfigured", "no GitHub App is configured to redeliver it")
  const outcome = await deps.github.redeliver(deliveryId).catch((error: unknown) => {
    deps.log.warn({ err: String(error), deliveryId }, "GitHub refused a redelivery")
    throw new ApiError(502, "github_error", "GitHub did not accept the redelivery request")
  })
  if (outcome === "not_found")
    throw new ApiError(
      404,
      "not_found_on_github",
      "GitHub no longer lists this delivery (it keeps them for a few days)",
    )
  return {
    replayed: true,
    message: "GitHub is sending the delivery again; its new outcome appears here when it arrives",
    promptRequestId: null,
  }
}

export const deliveriesApi =
  (deps: DashboardApiDeps): ApiRoutes =>
  async (req, res, url) => {
    if (url.pathname === "/api/deliveries" && req.method === "GET") {
      requireRole(deps.authenticate(req), "viewer", "listing deliveries")
      sendAnswer(res, 200, Api.DeliveryPage, await list(deps, url))
      return true
    }
    const match = REPLAY.exec(url.pathname)
    if (match !== null && req.method === "POST") {
      requireRole(deps.authenticate(req), "admin", "replaying a delivery")
      const result = await replay(deps, match[1] ?? "")
      sendAnswer(res, result.replayed ? 202 : 200, Api.ReplayAnswer, result)
      return true
    }
    return false
  }
