// Starts the control plane in this process: config → database (migrated) →
// GitHub intake (when configured) → HTTP. `main.ts` runs it for `npm start`;
// tests run it in-process to talk to it over real HTTP.
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { Effect, Layer, ManagedRuntime } from "effect"
import type { ResolvedConfig, LoadConfigOptions } from "../config/load-config.ts"
import { createGitHubIntake, type GitHubIntake } from "../intake/github-intake.ts"
import { makeDatabaseOrchestrator } from "../orchestration/orchestrator.ts"
import { AppConfig } from "../platform/app-config.ts"
import { Database, type DatabaseShape } from "../platform/database.ts"
import { createLogger, type Logger } from "../platform/logger.ts"
import { createRequestHandler } from "./http-server.ts"

export interface RunningPatchPlane {
  /** http://localhost:PORT (or the configured host). */
  readonly url: string
  readonly config: ResolvedConfig
  readonly database: DatabaseShape
  readonly intake: GitHubIntake | null
  readonly log: Logger
  /** Closes HTTP, then ends the pool and stops the embedded server. */
  stop(): Promise<void>
}

const displayHost = (host: string) =>
  ["127.0.0.1", "0.0.0.0", "::", "::1"].includes(host) ? "localhost" : host

const listen = (server: Server, port: number, host: string) =>
  new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(port, host, () => {
      server.off("error", reject)
      resolve()
    })
  })

export const startPatchPlane = async (
  options: LoadConfigOptions = {},
): Promise<RunningPatchPlane> => {
  const runtime = ManagedRuntime.make(
    Database.layer.pipe(Layer.provideMerge(AppConfig.layer(options))),
  )
  try {
    const { config, database } = await runtime.runPromise(
      Effect.all({ config: AppConfig, database: Database }),
    )
    const log = createLogger(config.server.logLevel)
    const server = createServer()
    server.requestTimeout = 30_000
    server.headersTimeout = 15_000
    await listen(server, config.server.port, config.server.host)
    const { port } = server.address() as AddressInfo
    const url = `http://${displayHost(config.server.host)}:${port}`
    const publicUrl = config.server.publicUrl ?? url
    const intake =
      config.github === null
        ? null
        : createGitHubIntake({
            github: config.github,
            intake: config.intake,
            db: database.db,
            log,
            orchestrator: makeDatabaseOrchestrator(database.db),
            dashboardUrl: (runId) => `${publicUrl}/runs/${runId}`,
          })
    server.on("request", createRequestHandler({ config, database, intake }))
    let stopping: Promise<void> | undefined
    return {
      url,
      config,
      database,
      intake,
      log,
      stop: () => {
        stopping ??= (async () => {
          await new Promise<void>((resolve) => {
            server.close(() => resolve())
            server.closeIdleConnections()
          })
          await runtime.dispose()
        })()
        return stopping
      },
    }
  } catch (error) {
    await runtime.dispose()
    throw error
  }
}
