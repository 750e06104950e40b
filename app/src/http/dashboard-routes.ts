// The operator dashboard, mounted on the one HTTP server: its API routes
// (sign-in, session, repositories, deliveries, run views, App registration)
// under /api, and every other path rendered by Next.js. The pages read and
// write only through the HTTP API; their server render calls it over
// loopback with the visitor's own cookies.
import type { IncomingMessage, Server, ServerResponse } from "node:http"
import { type Database, upsertDashboardUser } from "@patchplane/db"
import { buildState } from "@patchplane/dashboard/build"
import { createDashboardHandler } from "@patchplane/dashboard/server"
import type { ResolvedConfig } from "../config/load-config.ts"
import type { Probot } from "../github/probot.ts"
import type { OrchestratorShape } from "../orchestration/orchestrator.ts"
import type { Logger } from "../platform/logger.ts"
import type { Authenticate } from "./auth/auth.ts"
import type { ApiRoutes, DashboardApiDeps } from "./api/dashboard-deps.ts"
import { deliveriesApi } from "./api/deliveries-api.ts"
import { repositoriesApi } from "./api/repositories-api.ts"
import { runContextApi } from "./api/run-context-api.ts"
import { runViewsApi } from "./api/run-views-api.ts"
import { sessionApi } from "./api/session-api.ts"
import { usageApi } from "./api/usage-api.ts"
import { renderBuildingPage } from "./dashboard-building-page.ts"
import { createDashboardGitHub } from "../github/dashboard-github.ts"
import { githubAppManifestApi } from "./github-app-manifest.ts"
import { createWorkOSSessions } from "./auth/workos-session.ts"

export interface DashboardRoutesDeps {
  readonly config: ResolvedConfig
  readonly db: Database
  readonly log: Logger
  readonly orchestrator: OrchestratorShape
  readonly authenticate: Authenticate
  readonly probot: Probot | null
  readonly server: Server
  readonly publicUrl: string
  readonly cwd: string
  /** Next.js dev mode (`npm run dev`); default: config dashboard.dev. */
  readonly dev?: boolean
}

export interface DashboardRoutes {
  /** Resolves the visitor's sign-in, then serves the dashboard's API routes; false for others. */
  api(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>
  /** Every path outside /api: a dashboard page or asset. */
  page(req: IncomingMessage, res: ServerResponse): Promise<void>
  close(): Promise<void>
}

/** Where this request reached us: the server render calls the API there. */
const loopbackOrigin = (req: IncomingMessage) => {
  const address = (req.socket.localAddress ?? "127.0.0.1").replace(/^::ffff:/, "")
  return `http://${address.includes(":") ? `[${address}]` : address}:${req.socket.localPort}`
}

const securityHeaders = (res: ServerResponse, dev: boolean, formTargets: string) => {
  // Everything the dashboard loads comes from this server: no CDN, no telemetry.
  res.setHeader(
    "content-security-policy",
    [
      "default-src 'self'",
      `script-src 'self' 'unsafe-inline'${dev ? " 'unsafe-eval'" : ""}`,
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data: blob:",
      "font-src 'self' data:",
      "worker-src 'self' blob:",
      `connect-src 'self'${dev ? " ws: wss:" : ""}`,
      "frame-ancestors 'none'",
      "base-uri 'self'",
      // Forms go here, to GitHub (App registration) and WorkOS (sign-out).
      `form-action 'self' https:${formTargets}`,
      "object-src 'none'",
    ].join("; "),
  )
  res.setHeader("x-content-type-options", "nosniff")
  res.setHeader("referrer-policy", "same-origin")
}

const originOf = (url: string | undefined) => (url === undefined ? "" : ` ${new URL(url).origin}`)

export const createDashboardRoutes = (deps: DashboardRoutesDeps): DashboardRoutes => {
  const { config, log } = deps
  const dev = deps.dev ?? config.dashboard.dev
  const github =
    deps.probot === null || config.github === null
      ? null
      : createDashboardGitHub(deps.probot, config.github.apiUrl)
  const apiDeps: DashboardApiDeps = {
    db: deps.db,
    config,
    authenticate: deps.authenticate,
    orchestrator: deps.orchestrator,
    github,
    log,
    cwd: deps.cwd,
    publicUrl: deps.publicUrl,
  }
  const sessions =
    config.workos === null
      ? null
      : createWorkOSSessions({
          workos: config.workos,
          publicUrl: deps.publicUrl,
          log,
          onSignIn: (user) =>
            upsertDashboardUser(deps.db, {
              workosUserId: user.workosUserId,
              email: user.email,
              name: user.name,
              workosOrganizationId: user.organizationId,
              role: user.role,
            }),
        })
  const formTargets = `${originOf(config.workos?.apiUrl)}${originOf(github?.webUrl)}`
  const routes: ApiRoutes[] = [
    sessionApi(apiDeps),
    runViewsApi(apiDeps),
    usageApi(apiDeps),
    runContextApi(apiDeps),
    repositoriesApi(apiDeps),
    deliveriesApi(apiDeps),
    githubAppManifestApi(apiDeps),
  ]
  const next = createDashboardHandler({
    dev,
    log,
    server: deps.server,
    buildingPage: (progress) => renderBuildingPage(config, progress),
  })
  // Start a missing or stale build right away; a fresh one loads at the first page.
  if (dev || buildState().kind !== "fresh") next.warm()

  return {
    api: async (req, res, url) => {
      await sessions?.attach(req, res)
      if (sessions !== null && (await sessions.handle(req, res, url))) return true
      for (const route of routes) if (await route(req, res, url)) return true
      return false
    },
    page: async (req, res) => {
      const path = (req.url ?? "/").split("?")[0] ?? "/"
      // Assets need no session; pages refresh an expired one before rendering.
      if (!path.startsWith("/_next/")) await sessions?.attach(req, res)
      for (const name of Object.keys(req.headers))
        if (name.startsWith("x-patchplane-")) delete req.headers[name]
      req.headers["x-patchplane-api"] = loopbackOrigin(req)
      securityHeaders(res, dev, formTargets)
      await next.handle(req, res)
    },
    close: () => next.close(),
  }
}
