// A loopback fake of the Daytona HTTP API: only the endpoints
// `@daytonaio/sdk` 0.218 calls for PatchPlane (create, get, delete, the
// toolbox's execute, bulk upload/download and git clone), answering the way
// Daytona does. It records every request so tests can assert on them. It
// scripts answers to pin the adapter's exact requests; behaviour (real
// sandboxes, sessions, git) is tested against the local Daytona in
// app/dev/daytona-stand-in/.
import { randomUUID } from "node:crypto"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { parseMultipart } from "../../dev/daytona-stand-in/multipart.ts"
import { splitCommand } from "../../dev/daytona-stand-in/toolbox.ts"

export interface RecordedRequest {
  readonly method: string
  readonly path: string
  readonly authorization: string | undefined
  readonly body: unknown
}

/** What an execute answers: a result, a hang (until the sandbox is deleted), or an HTTP status. */
export type ExecAnswer =
  | { readonly exitCode: number; readonly result: string }
  | { readonly hang: true }
  | { readonly status: number; readonly message: string }

export interface FakeDaytona {
  /** `apiUrl` for the SDK (`http://127.0.0.1:<port>/api`). */
  readonly apiUrl: string
  readonly requests: Array<RecordedRequest>
  /** Scripts the toolbox was asked to run, decoded from PatchPlane's `sh -c` wrapper. */
  readonly scripts: Array<string>
  /** Files in the fake sandboxes, by absolute path. */
  readonly files: Map<string, Buffer>
  /** Git pushes asked of the toolbox (its JSON body: path, branch, username, password). */
  readonly pushes: Array<{ path: string; branch?: string; username?: string }>
  /** Statuses to answer the next creates with (then 200s). */
  createFailures: Array<number>
  /** How long a create takes to answer. */
  createDelayMs: number
  onExec: (script: string) => ExecAnswer
  /** Resolves once the toolbox was asked to run a script containing `text`. */
  waitForExec(text: string): Promise<void>
  close(): Promise<void>
}

const readBody = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Array<Buffer> = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" })
  res.end(JSON.stringify(body))
}

const decodeScript = (command: string): string => {
  const args = splitCommand(command)
  const encoded = /printf %s (\S+) \| base64 -d/.exec(args[2] ?? "")?.[1]
  return args[0] === "sh" && args[1] === "-c" && encoded !== undefined
    ? Buffer.from(encoded, "base64").toString()
    : command
}

export const startFakeDaytona = async (): Promise<FakeDaytona> => {
  const requests: Array<RecordedRequest> = []
  const scripts: Array<string> = []
  const files = new Map<string, Buffer>()
  const sandboxes = new Map<string, Record<string, unknown>>()
  const hanging = new Map<string, Set<ServerResponse>>()
  const waiters: Array<{ text: string; resolve: () => void }> = []
  let base = ""

  const fake: FakeDaytona = {
    apiUrl: "",
    requests,
    scripts,
    files,
    pushes: [],
    createFailures: [],
    createDelayMs: 0,
    onExec: () => ({ exitCode: 0, result: "" }),
    waitForExec: (text) =>
      scripts.some((script) => script.includes(text))
        ? Promise.resolve()
        : new Promise((resolve) => waiters.push({ text, resolve })),
    close: async () => {
      for (const set of hanging.values()) for (const res of set) res.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }

  const api = async (req: IncomingMessage, res: ServerResponse, path: string, body: Buffer) => {
    const parsed: unknown = body.length > 0 ? JSON.parse(body.toString()) : null
    requests.push({
      method: req.method ?? "",
      path,
      authorization: req.headers.authorization,
      body: parsed,
    })
    const one = /^\/api\/sandbox\/([^/]+)$/.exec(path)
    if (req.method === "POST" && path === "/api/sandbox") {
      await new Promise((resolve) => setTimeout(resolve, fake.createDelayMs))
      const failure = fake.createFailures.shift()
      if (failure !== undefined)
        return json(res, failure, { statusCode: failure, message: "runner unavailable" })
      const create = parsed as Record<string, unknown>
      const id = `sbx-${randomUUID().slice(0, 8)}`
      const sandbox = {
        id,
        organizationId: "org-test",
        name: id,
        user: "daytona",
        env: create.env ?? {},
        labels: create.labels ?? {},
        public: false,
        networkBlockAll: create.networkBlockAll ?? false,
        networkAllowList: create.networkAllowList,
        target: create.target,
        cpu: create.cpu ?? 1,
        gpu: 0,
        memory: create.memory ?? 1,
        disk: create.disk ?? 3,
        state: "started",
        toolboxProxyUrl: `${base}/toolbox`,
      }
      sandboxes.set(id, sandbox)
      return json(res, 200, sandbox)
    }
    if (one?.[1] !== undefined && req.method === "GET") {
      const sandbox = sandboxes.get(one[1])
      return sandbox === undefined
        ? json(res, 404, { message: "not found" })
        : json(res, 200, sandbox)
    }
    if (one?.[1] !== undefined && req.method === "DELETE") {
      const id = one[1]
      const sandbox = sandboxes.get(id)
      if (sandbox === undefined) return json(res, 404, { message: "not found" })
      sandboxes.delete(id)
      // Like Daytona: deleting a sandbox ends whatever ran in it.
      for (const pending of hanging.get(id) ?? []) pending.destroy()
      hanging.delete(id)
      return json(res, 200, { ...sandbox, state: "destroying" })
    }
    return json(res, 404, { message: `no fake for ${req.method} ${path}` })
  }

  const toolbox = async (
    req: IncomingMessage,
    res: ServerResponse,
    id: string,
    rest: string,
    body: Buffer,
  ) => {
    const type = req.headers["content-type"] ?? ""
    const multipart = type.startsWith("multipart/")
    const parsed: unknown = multipart
      ? parseMultipart(body, type)
      : body.length > 0
        ? JSON.parse(body.toString())
        : null
    requests.push({
      method: req.method ?? "",
      path: `/toolbox/${id}${rest}`,
      authorization: req.headers.authorization,
      body: parsed,
    })
    if (!sandboxes.has(id)) return json(res, 404, { message: "sandbox not found" })
    if (req.method === "POST" && rest === "/process/execute") {
      const script = decodeScript((parsed as { command: string }).command)
      scripts.push(script)
      for (const waiter of waiters) if (script.includes(waiter.text)) waiter.resolve()
      const answer = fake.onExec(script)
      if ("hang" in answer) {
        const set = hanging.get(id) ?? new Set()
        set.add(res)
        hanging.set(id, set)
        return
      }
      if ("status" in answer)
        return json(res, answer.status, { statusCode: answer.status, message: answer.message })
      return json(res, 200, answer)
    }
    if (req.method === "POST" && rest === "/files/bulk-upload") {
      const parts = parsed as Array<{ name: string; data: Buffer }>
      for (const part of parts) {
        const index = /^files\[(\d+)\]\.path$/.exec(part.name)?.[1]
        const file = parts.find((p) => p.name === `files[${index}].file`)
        if (index !== undefined && file !== undefined) files.set(part.data.toString(), file.data)
      }
      res.writeHead(200)
      return res.end()
    }
    if (req.method === "POST" && rest === "/files/bulk-download") {
      const boundary = `fake${randomUUID().replaceAll("-", "")}`
      const chunks: Array<Buffer> = []
      for (const path of (parsed as { paths: Array<string> }).paths) {
        const data = files.get(path)
        const name = data === undefined ? "error" : "file"
        const content =
          data ?? Buffer.from(JSON.stringify({ message: "file not found", statusCode: 404 }))
        const contentType = data === undefined ? "application/json" : "application/octet-stream"
        chunks.push(
          Buffer.from(
            `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${path}"\r\nContent-Type: ${contentType}\r\n\r\n`,
          ),
          content,
          Buffer.from("\r\n"),
        )
      }
      chunks.push(Buffer.from(`--${boundary}--\r\n`))
      res.writeHead(200, { "content-type": `multipart/form-data; boundary=${boundary}` })
      return res.end(Buffer.concat(chunks))
    }
    if (req.method === "POST" && rest === "/git/clone") {
      const clone = parsed as { url: string; path: string }
      // Daytona's clone keeps credentials out of the remote, like this config.
      files.set(
        `${clone.path}/.git/config`,
        Buffer.from(`[remote "origin"]\n\turl = ${clone.url}\n`),
      )
      res.writeHead(200)
      return res.end()
    }
    if (req.method === "POST" && rest === "/git/push") {
      fake.pushes.push(parsed as { path: string; branch?: string; username?: string })
      res.writeHead(200)
      return res.end()
    }
    return json(res, 404, { message: `no fake for ${req.method} ${rest}` })
  }

  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname
    const body = await readBody(req)
    const tool = /^\/toolbox\/([^/]+)(\/.*)$/.exec(path)
    if (tool?.[1] !== undefined && tool[2] !== undefined)
      await toolbox(req, res, tool[1], tool[2], body)
    else await api(req, res, path, body)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return Object.assign(fake, { apiUrl: `${base}/api` })
}
