// GET /api/health: is the control plane up, and can it reach its database?
import { Effect } from "effect"
import type { ResolvedConfig } from "../config/load-config.ts"
import type { DatabaseShape } from "../platform/database.ts"
import { VERSION } from "../version.ts"

export interface HealthReport {
  readonly ok: boolean
  readonly db: "up" | "down"
  readonly database: DatabaseShape["kind"]
  readonly github: "configured" | "unconfigured"
  readonly version: string
  readonly uptimeSeconds: number
  readonly error?: string
}

export const checkHealth = (
  database: DatabaseShape,
  config: ResolvedConfig,
): Promise<HealthReport> => {
  const base = {
    database: database.kind,
    github: config.github === null ? ("unconfigured" as const) : ("configured" as const),
    version: VERSION,
    uptimeSeconds: Math.round(process.uptime()),
  }
  return Effect.runPromise(
    database.ping.pipe(
      Effect.timeout("3 seconds"),
      Effect.match({
        onSuccess: (): HealthReport => ({ ok: true, db: "up", ...base }),
        onFailure: (error): HealthReport => ({
          ok: false,
          db: "down",
          ...base,
          error: error.message,
        }),
      }),
    ),
  )
}
