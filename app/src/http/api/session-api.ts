// GET /api/session   who is signed in, how, and what the dashboard should show
//                    (setup notices, the kill switch); answers 200 even
//                    signed out, so the dashboard can offer sign-in.
// GET /api/control   the kill switch's state, for every open dashboard.
import { Api } from "@patchplane/domain"
import { Effect } from "effect"
import { VERSION } from "../../version.ts"
import { type Caller, localOperatorMode } from "../auth/auth.ts"
import type { ApiRoutes, DashboardApiDeps } from "./dashboard-deps.ts"
import { ApiError, sendAnswer } from "./http-json.ts"

const isPaused = (deps: DashboardApiDeps) =>
  Effect.runPromise(deps.orchestrator.isPaused).catch(() => false)

export const sessionApi =
  (deps: DashboardApiDeps): ApiRoutes =>
  async (req, res, url) => {
    if (req.method !== "GET") return false
    if (url.pathname === "/api/control") {
      deps.authenticate(req)
      sendAnswer(res, 200, Api.ControlState, { paused: await isPaused(deps) })
      return true
    }
    if (url.pathname !== "/api/session") return false
    const auth: (typeof Api.SessionInfo.Type)["auth"] =
      deps.config.workos !== null ? "workos" : localOperatorMode(deps.config) ? "local" : "token"
    let caller: Caller | null = null
    let refusal: { code: string; message: string } | null = null
    try {
      caller = deps.authenticate(req)
    } catch (error) {
      if (!(error instanceof ApiError)) throw error
      refusal = { code: error.code, message: error.message }
    }
    const base = {
      auth,
      signInUrl: deps.config.workos === null ? null : "/api/auth/login",
      version: VERSION,
    }
    if (caller === null) {
      sendAnswer(res, 200, Api.SessionInfo, { ...base, caller: null, refusal })
      return true
    }
    sendAnswer(res, 200, Api.SessionInfo, {
      ...base,
      caller,
      refusal: null,
      unconfigured: deps.config.unconfigured,
      paused: await isPaused(deps),
      github: {
        configured: deps.github !== null,
        webUrl: deps.github?.webUrl ?? "https://github.com",
      },
    })
    return true
  }
