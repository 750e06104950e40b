// The one HTTP server: /api/* is ours; the GitHub webhook route and the
// dashboard mount here too as their issues land (Probot at
// /api/github/webhooks, Next.js for everything else).
import type { IncomingMessage, ServerResponse } from "node:http"
import type { ResolvedConfig } from "../config/load-config.ts"
import type { GitHubIntake } from "../intake/github-intake.ts"
import type { DatabaseShape } from "../platform/database.ts"
import { checkHealth } from "./health.ts"
import { renderHomePage } from "./home-page.ts"

export const WEBHOOK_PATH = "/api/github/webhooks"

export interface ServerContext {
  readonly config: ResolvedConfig
  readonly database: DatabaseShape
  /** Null until a GitHub App is configured: webhooks are then refused with a clear message. */
  readonly intake: GitHubIntake | null
}

const sendJson = (res: ServerResponse, status: number, body: unknown): void => {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
  })
  res.end(text)
}

const methodNotAllowed = (res: ServerResponse, allow: string) => {
  res.setHeader("allow", allow)
  sendJson(res, 405, { error: `method not allowed; use ${allow}` })
}

export const createRequestHandler =
  (ctx: ServerContext) =>
  async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname
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
      if (path.startsWith("/api/")) return sendJson(res, 404, { error: `no route ${path}` })
      if (path === "/" && (req.method === "GET" || req.method === "HEAD")) {
        const html = renderHomePage(ctx.config)
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" })
        return void res.end(req.method === "HEAD" ? undefined : html)
      }
      return sendJson(res, 404, { error: `no page ${path}` })
    } catch (error) {
      if (!res.headersSent) sendJson(res, 500, { error: "internal error" })
      else res.destroy()
      console.error(`request ${req.method} ${path} failed:`, error)
    }
  }
