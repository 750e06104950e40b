// The one HTTP server: /api/github/webhooks is the GitHub intake, /api/* the
// control API and live streams, and every other path the Next.js dashboard
// (a plain status page only in processes without one).
import type { IncomingMessage, ServerResponse } from "node:http"
import type { ResolvedConfig } from "../config/load-config.ts"
import type { GitHubIntake } from "../intake/github-intake.ts"
import type { DatabaseShape } from "../platform/database.ts"
import type { Logger } from "../platform/logger.ts"
import { type ReviewResultsHandler, reviewResultsRunId } from "../review/index.ts"
import { type EventStreamDeps, handleEventStreams } from "./api/event-stream.ts"
import { ApiError, sendError, sendJson } from "./api/http-json.ts"
import { handleRunsApi, type RunsApiDeps } from "./api/runs-api.ts"
import type { ModelGatewayShape } from "../runtime/model-gateway.ts"
import { handleLocalSignIn, type LocalOperator } from "./auth/local-operator.ts"
import type { DashboardRoutes } from "./dashboard-routes.ts"
import { checkHealth } from "./health.ts"
import { renderHomePage } from "./home-page.ts"

export const WEBHOOK_PATH = "/api/github/webhooks"

export interface ServerContext {
  readonly config: ResolvedConfig
  readonly database: DatabaseShape
  /** Null until a GitHub App is configured: webhooks are then refused with a clear message. */
  readonly intake: GitHubIntake | null
  readonly runsApi: RunsApiDeps
  readonly streams: EventStreamDeps
  /** POST /api/runs/:id/reviews: the companion Action's results (OIDC-authenticated). */
  readonly reviews: ReviewResultsHandler
  readonly log: Logger
  /** The operator dashboard (issue 8): its API routes and every non-/api page; null shows the status page. */
  readonly dashboard?: DashboardRoutes | null
  /**
   * The model gateway for remote (Daytona) sandboxes, under /api/model-gateway:
   * authenticated by the per-run token, not by a dashboard sign-in.
   */
  readonly modelGateway?: Pick<ModelGatewayShape, "handle"> | null
  /** Local single-operator mode's token; `/?token=…` signs a browser in with it. */
  readonly local?: LocalOperator | null
}

const methodNotAllowed = (res: ServerResponse, allow: string) => {
  res.setHeader("allow", allow)
  sendError(res, new ApiError(405, "method_not_allowed", `method not allowed; use ${allow}`))
}

export const createRequestHandler =
  (ctx: ServerContext) =>
  async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://localhost")
    const path = url.pathname
    try {
      if (path === "/api/health") {
        if (req.method !== "GET" && req.method !== "HEAD") return methodNotAllowed(res, "GET")
        const report = await checkHealth(ctx.database, ctx.config)
        return sendJson(res, report.ok ? 200 : 503, report)
      }
      if (path === WEBHOOK_PATH) {
        if (ctx.intake !== null) return await ctx.intake.handleWebhook(req, res)
        if (req.method !== "POST") return methodNotAllowed(res, "POST")
        req.resume() // drain; nothing is read or stored
        return sendJson(res, 503, {
          error:
            "GitHub App is not configured: set github.appId, github.privateKey and " +
            "github.webhookSecret in patchplane.config.json (see README, Configuration).",
        })
      }
      if (path.startsWith("/api/")) {
        if (ctx.modelGateway && (await ctx.modelGateway.handle(req, res))) return
        // Dashboard: resolve the sign-in first (every route below reads the caller).
        if (ctx.dashboard && (await ctx.dashboard.api(req, res, url))) return
        const reviewedRun = req.method === "POST" ? reviewResultsRunId(path) : null
        if (reviewedRun !== null) return await ctx.reviews(req, res, reviewedRun)
        if (await handleEventStreams(ctx.streams, req, res, url)) return
        if (await handleRunsApi(ctx.runsApi, req, res, url)) return
        return sendError(res, new ApiError(404, "not_found", `no route ${req.method} ${path}`))
      }
      if (ctx.local && handleLocalSignIn(ctx.local, req, res, url)) return
      if (ctx.dashboard) return await ctx.dashboard.page(req, res) // Dashboard: all other paths
      if (path === "/" && (req.method === "GET" || req.method === "HEAD")) {
        const html = renderHomePage(ctx.config)
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" })
        return void res.end(req.method === "HEAD" ? undefined : html)
      }
      return sendError(res, new ApiError(404, "not_found", `no page ${path}`))
    } catch (error) {
      if (error instanceof ApiError) {
        if (!res.headersSent) return sendError(res, error)
        return void res.end()
      }
      ctx.log.error({ err: String(error), method: req.method, path }, "request failed")
      if (!res.headersSent) sendError(res, new ApiError(500, "internal", "internal error"))
      else res.destroy()
    }
  }
