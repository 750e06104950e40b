// A local Daytona for tests and the demo: the subset of Daytona's REST API
// (`/api/sandbox…`) and of the in-sandbox toolbox API (`/toolbox/<id>/…`)
// that `@daytonaio/sdk` 0.218 calls for PatchPlane, each sandbox a real
// bubblewrap container (container.ts). Requests and answers are checked
// against the generated clients' models (contract.ts). It goes through the
// states a real sandbox does (creating → starting → started, so the SDK's
// wait-for-start path runs) and fails as Daytona does: 5xx while creating,
// quota refusals, a sandbox that dies mid-run. The toolbox routes are in
// toolbox.ts.
import { randomUUID } from "node:crypto"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { checkedResponse } from "./contract.ts"
import { Container, type ImageSpec } from "./container.ts"
import { HttpFailure, parseModel, readBody, sendJson } from "./http.ts"
import type { Session } from "./sessions.ts"
import { handleToolbox } from "./toolbox.ts"
import { acceptWebSocket } from "./websocket.ts"

export interface StandInOptions {
  /** The API key the SDK must send as `Authorization: Bearer …`. */
  readonly apiKey: string
  /** Snapshots this Daytona knows; `image` requests get `defaultImage`. */
  readonly snapshots: Readonly<Record<string, ImageSpec>>
  readonly defaultImage?: ImageSpec
  /** How long a new sandbox stays `creating`, then `starting` (default 300 ms each). */
  readonly stateStepMs?: number
  /** Sandboxes an organization may hold at once (Daytona's quota; default 10). */
  readonly maxSandboxes?: number
  readonly baseDir?: string
}

export interface StandInSandbox {
  readonly id: string
  readonly body: Record<string, unknown>
  state: string
  errorReason?: string
  container: Container | null
  readonly sessions: Map<string, Session>
}

export interface RecordedRequest {
  readonly method: string
  readonly path: string
  readonly body: unknown
}

export interface DaytonaStandIn {
  /** `apiUrl` for the SDK. */
  readonly apiUrl: string
  readonly requests: Array<RecordedRequest>
  readonly sandboxes: Map<string, StandInSandbox>
  /** Statuses the next creates answer with (then they succeed again). */
  createFailures: Array<number>
  /** Kills every process of a sandbox and marks it `error`, as a lost runner does. */
  killSandbox(id: string, reason: string): void
  /** Resolves once a sandbox with this `patchplane-run` label exists and has a running session command. */
  waitForSessionCommand(runId: string, timeoutMs?: number): Promise<StandInSandbox>
  close(): Promise<void>
}

export const startDaytonaStandIn = async (options: StandInOptions): Promise<DaytonaStandIn> => {
  const sandboxes = new Map<string, StandInSandbox>()
  const requests: Array<RecordedRequest> = []
  const step = options.stateStepMs ?? 300
  const defaultImage = options.defaultImage ?? { pi: null }
  let base = ""

  const view = (sandbox: StandInSandbox) =>
    checkedResponse("@daytona/api-client", "Sandbox", {
      ...sandbox.body,
      state: sandbox.state,
      ...(sandbox.errorReason === undefined ? {} : { errorReason: sandbox.errorReason }),
      toolboxProxyUrl: `${base}/toolbox`,
    })

  const live = () => [...sandboxes.values()].filter((s) => s.state !== "destroyed")

  const createSandbox = async (body: Buffer) => {
    const failure = standIn.createFailures.shift()
    // Daytona answers 5xx when no runner can take the sandbox right now.
    if (failure !== undefined) throw new HttpFailure(failure, "No available runners")
    const request = parseModel("@daytona/api-client", "CreateSandbox", body)
    // Daytona's organization quota: a create beyond it is refused with 403
    // (apps/api/src/sandbox/services/sandbox.service.ts, "quota exceeded").
    if (live().length >= (options.maxSandboxes ?? 10))
      throw new HttpFailure(
        403,
        `Total sandbox quota exceeded. Maximum allowed: ${options.maxSandboxes ?? 10}`,
      )
    const snapshot = typeof request.snapshot === "string" ? request.snapshot : undefined
    const image = snapshot === undefined ? defaultImage : options.snapshots[snapshot]
    if (image === undefined) throw new HttpFailure(404, `Snapshot ${snapshot} not found`)
    const id = randomUUID()
    const env = (request.env ?? {}) as Record<string, string>
    const sandbox: StandInSandbox = {
      id,
      body: {
        id,
        organizationId: "stand-in-org",
        name: typeof request.name === "string" ? request.name : id,
        ...(snapshot === undefined ? {} : { snapshot }),
        user: "daytona",
        env,
        labels: (request.labels ?? {}) as Record<string, string>,
        public: request.public === true,
        networkBlockAll: request.networkBlockAll === true,
        ...(typeof request.networkAllowList === "string"
          ? { networkAllowList: request.networkAllowList }
          : {}),
        target: "us",
        cpu: typeof request.cpu === "number" ? request.cpu : 1,
        gpu: 0,
        memory: typeof request.memory === "number" ? request.memory : 1,
        disk: typeof request.disk === "number" ? request.disk : 3,
        ...(typeof request.autoStopInterval === "number"
          ? { autoStopInterval: request.autoStopInterval }
          : {}),
        createdAt: new Date().toISOString(),
      },
      state: "creating",
      container: null,
      sessions: new Map(),
    }
    sandboxes.set(id, sandbox)
    // The container comes up in the background; the SDK polls until `started`.
    void (async () => {
      await new Promise((resolve) => setTimeout(resolve, step))
      if (sandbox.state !== "creating") return
      sandbox.state = "starting"
      const container = await Container.create({
        image,
        env,
        network: request.networkBlockAll !== true,
        memoryGb: typeof request.memory === "number" ? request.memory : 4,
        ...(options.baseDir === undefined ? {} : { baseDir: options.baseDir }),
      })
      await new Promise((resolve) => setTimeout(resolve, step))
      if (sandbox.state !== "starting") return void container.remove()
      sandbox.container = container
      sandbox.state = "started"
    })().catch((error: unknown) => {
      sandbox.state = "error"
      sandbox.errorReason = `container failed to start: ${String(error)}`
    })
    return view(sandbox)
  }

  const destroy = async (sandbox: StandInSandbox) => {
    sandbox.state = "destroyed"
    for (const session of sandbox.sessions.values()) session.kill()
    const container = sandbox.container
    sandbox.container = null
    await container?.remove()
  }

  const api = async (req: IncomingMessage, res: ServerResponse, path: string, body: Buffer) => {
    if (req.headers.authorization !== `Bearer ${options.apiKey}`)
      throw new HttpFailure(401, "Unauthorized")
    if (req.method === "POST" && path === "/api/sandbox")
      return sendJson(res, 200, await createSandbox(body))
    const one = /^\/api\/sandbox\/([^/]+)(\/labels)?$/.exec(path)
    const sandbox = one?.[1] === undefined ? undefined : sandboxes.get(one[1])
    if (one === null) throw new HttpFailure(404, `Cannot ${req.method} ${path}`)
    if (sandbox === undefined || sandbox.state === "destroyed")
      throw new HttpFailure(404, `Sandbox with ID or name ${one[1]} not found`)
    if (one[2] === "/labels" && req.method === "PUT") {
      const labels = parseModel("@daytona/api-client", "SandboxLabels", body)
      sandbox.body.labels = labels.labels
      return sendJson(res, 200, checkedResponse("@daytona/api-client", "SandboxLabels", labels))
    }
    if (one[2] !== undefined) throw new HttpFailure(404, `Cannot ${req.method} ${path}`)
    if (req.method === "GET") return sendJson(res, 200, view(sandbox))
    if (req.method === "DELETE") {
      await destroy(sandbox)
      return sendJson(res, 200, view({ ...sandbox, state: "destroying" }))
    }
    throw new HttpFailure(405, `Cannot ${req.method} ${path}`)
  }

  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname
    try {
      const body = await readBody(req)
      const tool = /^\/toolbox\/([^/]+)(\/.*)$/.exec(path)
      let parsed: unknown = null
      try {
        parsed =
          body.length > 0 && !req.headers["content-type"]?.startsWith("multipart/")
            ? JSON.parse(body.toString())
            : null
      } catch {
        parsed = body.toString()
      }
      requests.push({ method: req.method ?? "", path, body: parsed })
      if (tool?.[1] !== undefined && tool[2] !== undefined) {
        if (req.headers.authorization !== `Bearer ${options.apiKey}`)
          throw new HttpFailure(401, "Unauthorized")
        const sandbox = sandboxes.get(tool[1])
        if (sandbox === undefined || sandbox.state === "destroyed")
          throw new HttpFailure(404, `sandbox ${tool[1]} not found`)
        await handleToolbox(req, res, sandbox, tool[2], body)
      } else await api(req, res, path, body)
    } catch (error) {
      const status = error instanceof HttpFailure ? error.status : 500
      const message = error instanceof Error ? error.message : String(error)
      if (res.headersSent) return void res.destroy()
      sendJson(res, status, {
        statusCode: status,
        message,
        path,
        timestamp: new Date().toISOString(),
      })
    }
  })

  // The followed session log is a WebSocket (the SDK's getSessionCommandLogs with callbacks).
  server.on("upgrade", (req, socket) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname
    const match = /^\/toolbox\/([^/]+)\/process\/session\/([^/]+)\/command\/([^/]+)\/logs$/.exec(
      path,
    )
    const sandbox = match?.[1] === undefined ? undefined : sandboxes.get(match[1])
    const command =
      match?.[2] === undefined || match[3] === undefined
        ? undefined
        : sandbox?.sessions.get(match[2])?.commands.get(match[3])
    if (req.headers.authorization !== `Bearer ${options.apiKey}` || command === undefined) {
      socket.end("HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n")
      return
    }
    requests.push({ method: "GET", path: `${path}?follow=true`, body: null })
    const peer = acceptWebSocket(req, socket)
    if (peer !== null) command.follow(peer)
  })

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  const standIn: DaytonaStandIn = {
    apiUrl: `${base}/api`,
    requests,
    sandboxes,
    createFailures: [],
    killSandbox: (id, reason) => {
      const sandbox = sandboxes.get(id)
      if (sandbox === undefined) return
      sandbox.state = "error"
      sandbox.errorReason = reason
      sandbox.container?.killAll()
    },
    waitForSessionCommand: async (runId, timeoutMs = 60_000) => {
      const until = Date.now() + timeoutMs
      while (Date.now() < until) {
        for (const sandbox of sandboxes.values())
          if (
            sandbox.state === "started" &&
            (sandbox.body.labels as Record<string, string>)["patchplane-run"] === runId &&
            [...sandbox.sessions.values()].some((s) =>
              [...s.commands.values()].some((c) => c.exitCode === undefined),
            )
          )
            return sandbox
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      throw new Error(`no running session command for run ${runId} within ${timeoutMs} ms`)
    },
    close: async () => {
      for (const sandbox of sandboxes.values()) await destroy(sandbox)
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
  return standIn
}
