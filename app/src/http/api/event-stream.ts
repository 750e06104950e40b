// Live streams over Server-Sent Events, fed by PostgreSQL notifications so
// any web process can serve any run:
//   GET /api/runs/:id/events   the run's RuntimeEvents in seq order (the SSE id
//                              is the seq, so a reconnect with Last-Event-ID
//                              resumes exactly), plus `run` state changes
//   GET /api/events            state changes of every run, for the list view
import type { IncomingMessage, ServerResponse } from "node:http"
import {
  type Database,
  getWorkflowRun,
  listRuntimeEvents,
  type RuntimeEventRow,
} from "@patchplane/db"
import type { Api } from "@patchplane/domain"
import type { NotificationListener } from "../../orchestration/notification-listener.ts"
import { type Authenticate, requireRole } from "../auth/auth.ts"
import { ApiError } from "./http-json.ts"

export interface EventStreamDeps {
  readonly db: Database
  readonly listener: NotificationListener
  readonly authenticate: Authenticate
  /** Keep-alive comment interval (proxies drop silent connections). */
  readonly heartbeatMs?: number
  /** Aborted when the server stops: every stream says so and ends. */
  readonly stopping?: AbortSignal
}

/** A `run` frame: a run's state when its stream opens, then what the database's run trigger notifies. */
type RunStateChange = typeof Api.RunStateChange.Type

const frame = (event: string, data: unknown, id?: number) =>
  `${id === undefined ? "" : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`

/** Each stored event is rendered once, however many clients it goes to. */
const rendered = new WeakMap<RuntimeEventRow, string>()
const eventFrame = (event: RuntimeEventRow) => {
  let text = rendered.get(event)
  if (text === undefined) {
    text = frame("runtime-event", event satisfies typeof Api.RuntimeEventRow.Type, event.seq)
    rendered.set(event, text)
  }
  return text
}

const openStream = (
  req: IncomingMessage,
  res: ServerResponse,
  heartbeatMs: number,
  stopping: AbortSignal | undefined,
) => {
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-store",
    connection: "keep-alive",
    "x-accel-buffering": "no",
  })
  res.write("retry: 1000\n\n")
  const timer = setInterval(() => {
    if (!res.writableEnded) res.write(": keep-alive\n\n")
  }, heartbeatMs)
  const cleanups: Array<() => void> = [() => clearInterval(timer)]
  const closed = new Promise<void>((resolve) => {
    const done = () => {
      for (const cleanup of cleanups) cleanup()
      resolve()
    }
    req.once("close", done)
    res.once("close", done)
  })
  // Tell the client the server is going away (not a network fault), then end
  // the stream so the server can close.
  const stop = () => {
    res.end(`event: shutdown\ndata: ${JSON.stringify({ message: "PatchPlane is stopping" })}\n\n`)
  }
  if (stopping?.aborted) stop()
  else if (stopping !== undefined) {
    stopping.addEventListener("abort", stop, { once: true })
    cleanups.push(() => stopping.removeEventListener("abort", stop))
  }
  return {
    send: (event: string, data: unknown, id?: number) => {
      if (res.writableEnded) return
      res.write(frame(event, data, id))
    },
    /** A frame already rendered (shared by every client of a run). */
    sendFrame: (text: string) => {
      if (!res.writableEnded) res.write(text)
    },
    onClose: (cleanup: () => void) => void cleanups.push(cleanup),
    closed,
  }
}

const RUN_EVENTS = /^\/api\/runs\/([0-9a-f-]{36})\/events$/
const PAGE = 500

/**
 * Clients of one run catch up with one query, not one each: a thousand
 * streams woken by the same notification, all after the same seq, share the
 * read. A read is shared only among pulls made since the same notification
 * (the generation counts them), so nobody joins a read that began before an
 * event it was told about.
 */
const sharedReads = new WeakMap<
  NotificationListener,
  { generation: number; reads: Map<string, Promise<RuntimeEventRow[]>> }
>()
const readerFor = (deps: EventStreamDeps) => {
  let state = sharedReads.get(deps.listener)
  if (state === undefined) {
    const created = { generation: 0, reads: new Map<string, Promise<RuntimeEventRow[]>>() }
    // Registered before any stream's own handler, so it counts first.
    deps.listener.on("patchplane_events", () => void (created.generation += 1))
    deps.listener.onReconnect(() => void (created.generation += 1))
    sharedReads.set(deps.listener, created)
    state = created
  }
  const shared = state
  return (runId: string, afterSeq: number) => {
    const key = `${runId}:${afterSeq}:${shared.generation}`
    let read = shared.reads.get(key)
    if (read === undefined) {
      read = listRuntimeEvents(deps.db, runId, { afterSeq, limit: PAGE }).finally(() =>
        shared.reads.delete(key),
      )
      shared.reads.set(key, read)
    }
    return read
  }
}

export const handleEventStreams = async (
  deps: EventStreamDeps,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<boolean> => {
  if (req.method !== "GET") return false
  const heartbeatMs = deps.heartbeatMs ?? 15_000
  if (url.pathname === "/api/events") {
    requireRole(deps.authenticate(req), "viewer", "watching runs")
    const stream = openStream(req, res, heartbeatMs, deps.stopping)
    stream.onClose(
      deps.listener.on("patchplane_runs", (payload) => {
        stream.send("run", JSON.parse(payload) as RunStateChange)
      }),
    )
    await stream.closed
    return true
  }
  const match = RUN_EVENTS.exec(url.pathname)
  if (match === null) return false
  requireRole(deps.authenticate(req), "viewer", "watching a run")
  const runId = match[1] ?? ""
  const run = await getWorkflowRun(deps.db, runId)
  if (run === undefined) throw new ApiError(404, "not_found", `no run ${runId}`)

  const resumeFrom = Number(req.headers["last-event-id"] ?? url.searchParams.get("after") ?? "0")
  let lastSent = Number.isInteger(resumeFrom) && resumeFrom > 0 ? resumeFrom : 0
  const stream = openStream(req, res, heartbeatMs, deps.stopping)
  const read = readerFor(deps)
  let closed = false
  stream.onClose(() => void (closed = true))

  // One catch-up at a time: notifications only say "something new"; the
  // table says what, in order, after the last seq this client has.
  let pulling: Promise<void> | null = null
  let again = false
  const pull = () => {
    if (pulling !== null) {
      again = true
      return
    }
    pulling = (async () => {
      do {
        again = false
        for (;;) {
          const events = await read(runId, lastSent)
          for (const event of events) {
            stream.sendFrame(eventFrame(event))
            lastSent = event.seq
          }
          if (events.length < PAGE) break
        }
      } while (again)
      pulling = null
    })().catch(() => {
      // A read that failed (the pool was busy or the database away) is tried
      // again: no later notification may come to carry this client forward.
      pulling = null
      if (!closed) setTimeout(pull, 1_000).unref()
    })
  }
  stream.send("run", { runId, state: run.state, reason: run.reason } satisfies RunStateChange)
  stream.onClose(
    deps.listener.on("patchplane_events", (payload) => {
      if (payload.includes(runId)) pull()
    }),
  )
  stream.onClose(
    deps.listener.on("patchplane_runs", (payload) => {
      const change = JSON.parse(payload) as RunStateChange
      if (change.runId === runId) stream.send("run", change)
    }),
  )
  stream.onClose(deps.listener.onReconnect(pull))
  pull()
  await stream.closed
  return true
}
