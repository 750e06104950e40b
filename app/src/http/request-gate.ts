// Every request is answered. The port opens before the control plane is
// ready (database, engine, intake), so a webhook or health probe sent during
// start-up gets 503 with Retry-After instead of hanging on a server with no
// handler yet; once shutdown begins, new requests get the same 503 (and the
// connection is closed) while the process finishes what it holds.
import type { IncomingMessage, ServerResponse } from "node:http"

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => unknown

export interface RequestGate {
  /** The server's one "request" listener. */
  readonly listener: (req: IncomingMessage, res: ServerResponse) => void
  /** Ready: hand every request to `handler` from now on. */
  open(handler: RequestHandler): void
  /** Stopping: refuse new requests with 503 and close their connections. */
  close(): void
  readonly state: () => "starting" | "open" | "stopping"
}

/** Seconds a client should wait before retrying (GitHub redelivers by hand; probes retry). */
const RETRY_AFTER_SECONDS = 2

const unavailable = (req: IncomingMessage, res: ServerResponse, stopping: boolean) => {
  req.resume() // drain any body so the answer is not held up by it
  const message = stopping
    ? "PatchPlane is shutting down; retry shortly."
    : "PatchPlane is starting; retry shortly."
  const path = (req.url ?? "/").split("?")[0] ?? "/"
  const json = path.startsWith("/api/")
  const body = json
    ? JSON.stringify({
        ok: false,
        error: { code: stopping ? "stopping" : "starting", message },
      })
    : `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>PatchPlane</title>` +
      `<meta http-equiv="refresh" content="${RETRY_AFTER_SECONDS}"></head>` +
      `<body><p role="status">${message} This page reloads by itself.</p></body></html>`
  res.writeHead(503, {
    "content-type": json ? "application/json; charset=utf-8" : "text/html; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
    "retry-after": String(RETRY_AFTER_SECONDS),
    ...(stopping ? { connection: "close" } : {}),
  })
  res.end(req.method === "HEAD" ? undefined : body)
}

export const createRequestGate = (): RequestGate => {
  let handler: RequestHandler | null = null
  let stopping = false
  return {
    listener: (req, res) => {
      if (stopping || handler === null) return unavailable(req, res, stopping)
      void handler(req, res)
    },
    open: (next) => {
      handler = next
    },
    close: () => {
      stopping = true
    },
    state: () => (stopping ? "stopping" : handler === null ? "starting" : "open"),
  }
}
