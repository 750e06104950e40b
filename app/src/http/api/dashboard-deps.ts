// What the dashboard's API routes are built from.
import type { Database } from "@patchplane/db"
import type { ResolvedConfig } from "../../config/load-config.ts"
import type { OrchestratorShape } from "../../orchestration/orchestrator.ts"
import type { Logger } from "../../platform/logger.ts"
import type { DashboardGitHub } from "../../github/dashboard-github.ts"
import type { Authenticate } from "../auth/auth.ts"

export interface DashboardApiDeps {
  readonly db: Database
  readonly config: ResolvedConfig
  readonly authenticate: Authenticate
  readonly orchestrator: OrchestratorShape
  /** Null until a GitHub App is configured. */
  readonly github: DashboardGitHub | null
  readonly log: Logger
  /** The working directory PatchPlane started in (where a new config file goes). */
  readonly cwd: string
  /** Where people reach this server. */
  readonly publicUrl: string
}

/** One group of routes: handles the request and returns true, or returns false. */
export type ApiRoutes = (
  req: import("node:http").IncomingMessage,
  res: import("node:http").ServerResponse,
  url: URL,
) => Promise<boolean>
