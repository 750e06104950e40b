// The one module that loads Next.js. The control plane's HTTP server hands
// every non-API request to `handle`; Next is loaded at the first such request
// (API-only processes and tests never pay for it), after a build on demand in
// production mode (build.ts). Headers are set by the caller before `handle`.
import type { IncomingMessage, Server, ServerResponse } from "node:http"
import type { Duplex } from "node:stream"
import { buildState, DASHBOARD_DIR, ensureBuilt } from "./build.ts"

// Before Next loads: no telemetry, ever.
process.env.NEXT_TELEMETRY_DISABLED = "1"

export interface DashboardLog {
  info(object: object, message: string): void
  error(object: object, message: string): void
}

export interface DashboardHandlerOptions {
  /** Next.js dev mode (hot reload) instead of the production build. */
  readonly dev: boolean
  readonly log: DashboardLog
  /** Dev mode's hot reload needs the server's upgrade events. */
  readonly server?: Server
  readonly dir?: string
  /** The page shown while the production build runs (503, refreshes itself). */
  readonly buildingPage: (progress: ReadonlyArray<string>) => string
}

export type DashboardPhase = "idle" | "building" | "starting" | "ready" | "failed"

export interface DashboardHandler {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>
  /** Starts the build (when stale) and Next now, instead of at the first request. */
  warm(): void
  phase(): DashboardPhase
  close(): Promise<void>
}

type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>
interface NextApp {
  prepare(): Promise<void>
  getRequestHandler(): RequestHandler
  getUpgradeHandler(): (req: IncomingMessage, socket: Duplex, head: Buffer) => Promise<void>
  close(): Promise<void>
}

/** How long a page request waits for Next to finish loading before a 503. */
const STARTING_WAIT_MS = 5_000

const sendPage = (res: ServerResponse, status: number, html: string) => {
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    ...(status === 503 ? { "retry-after": "2" } : {}),
  })
  res.end(html)
}

export const createDashboardHandler = (options: DashboardHandlerOptions): DashboardHandler => {
  const dir = options.dir ?? DASHBOARD_DIR
  const stopped = new AbortController()
  const progress: string[] = []
  let phase: DashboardPhase = "idle"
  let failure: Error | null = null
  let app: NextApp | null = null
  let starting: Promise<RequestHandler> | null = null

  const start = () =>
    (starting ??= (async () => {
      if (!options.dev && buildState(dir).kind !== "fresh") {
        phase = "building"
        const began = Date.now()
        options.log.info({ state: buildState(dir).kind }, "building the dashboard")
        await ensureBuilt({
          dir,
          signal: stopped.signal,
          onProgress: (line) => {
            progress.push(line)
            if (progress.length > 40) progress.shift()
            options.log.info({}, `dashboard build: ${line}`)
          },
        })
        options.log.info({ seconds: (Date.now() - began) / 1000 }, "dashboard built")
      }
      phase = "starting"
      const { default: next } = (await import("next")) as unknown as {
        default: (options: { dev: boolean; dir: string; quiet?: boolean }) => NextApp
      }
      const created = next({ dev: options.dev, dir, quiet: !options.dev })
      await created.prepare()
      app = created
      if (options.dev && options.server !== undefined) {
        const upgrade = created.getUpgradeHandler()
        options.server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
          if (req.url?.startsWith("/_next/")) void upgrade(req, socket, head)
        })
      }
      phase = "ready"
      return created.getRequestHandler()
    })().catch((error: unknown) => {
      phase = "failed"
      failure = error instanceof Error ? error : new Error(String(error))
      options.log.error({ err: failure.message }, "the dashboard could not start")
      throw failure
    }))

  return {
    handle: async (req, res) => {
      const ready = start()
      ready.catch(() => {})
      if (phase === "building") return sendPage(res, 503, options.buildingPage(progress))
      if (phase === "failed") {
        const message = (failure?.message ?? "unknown error").replace(/[&<>]/g, " ")
        return sendPage(
          res,
          500,
          `<!doctype html><title>Dashboard failed</title><pre>${message}</pre>`,
        )
      }
      // Next loads in a few seconds; a page asked for meanwhile waits that
      // long at most, then gets the self-refreshing 503 instead of hanging.
      const handler = await Promise.race([
        ready.catch(() => null),
        new Promise<"slow">((r) => setTimeout(() => r("slow"), STARTING_WAIT_MS).unref()),
      ])
      if (handler === "slow") return sendPage(res, 503, options.buildingPage(progress))
      if (handler === null) return sendPage(res, 500, "<!doctype html><p>The dashboard failed.</p>")
      await handler(req, res)
    },
    warm: () => void start().catch(() => {}),
    phase: () => phase,
    close: async () => {
      stopped.abort()
      await (app as NextApp | null)?.close().catch(() => {})
    },
  }
}
