// The in-sandbox toolbox API of the local Daytona (Daytona's daemon, reached
// through its proxy at /toolbox/<sandbox-id>/…): process execute, bulk file
// upload/download, git clone/push and process sessions, each run inside the
// sandbox's container as the daemon runs them inside a real sandbox.
import type { IncomingMessage, ServerResponse } from "node:http"
import { mkdir, readFile, writeFile } from "node:fs/promises"
import { dirname } from "node:path"
import { checkedResponse } from "./contract.ts"
import { type Container, daytonaHome } from "./container.ts"
import { HttpFailure, parseModel, sendJson } from "./http.ts"
import { buildMultipart, parseMultipart } from "./multipart.ts"
import type { StandInSandbox } from "./server.ts"
import { Session } from "./sessions.ts"

/** The daemon's own command splitting for /process/execute: spaces outside quotes, no shell. */
export const splitCommand = (command: string): Array<string> => {
  const args: Array<string> = []
  let current = ""
  let quote: string | null = null
  for (const ch of command) {
    if ((ch === '"' || ch === "'") && (quote === null || quote === ch))
      quote = quote === null ? ch : null
    else if (ch === " " && quote === null) {
      if (current !== "") args.push(current)
      current = ""
    } else current += ch
  }
  if (current !== "") args.push(current)
  return args
}

/** git's credentials for one invocation, as an HTTP header never written to .git/config. */
const gitAuth = (username: unknown, password: unknown): Record<string, string> =>
  typeof password === "string" && password !== ""
    ? {
        GIT_CONFIG_COUNT: "1",
        GIT_CONFIG_KEY_0: "http.extraHeader",
        GIT_CONFIG_VALUE_0: `Authorization: Basic ${Buffer.from(`${typeof username === "string" ? username : "git"}:${password}`).toString("base64")}`,
        GIT_TERMINAL_PROMPT: "0",
      }
    : { GIT_TERMINAL_PROMPT: "0" }

/** A path the SDK names inside the sandbox, on the host; only under the daytona user's home. */
const hostPathOf = (container: Container, path: string) => {
  const absolute = path.startsWith("/") ? path : `${daytonaHome}/${path}`
  const host = container.hostPath(absolute)
  if (host === null || absolute.split("/").includes(".."))
    throw new HttpFailure(403, `permission denied: ${path}`)
  return host
}

/** One toolbox request for a sandbox (the path after /toolbox/<id>). */
export const handleToolbox = async (
  req: IncomingMessage,
  res: ServerResponse,
  sandbox: StandInSandbox,
  rest: string,
  body: Buffer,
) => {
  const container = sandbox.container
  // The proxy reaches the daemon only while the sandbox runs.
  if (sandbox.state !== "started" || container === null)
    throw new HttpFailure(
      502,
      `sandbox ${sandbox.id} is not running (state ${sandbox.state}${sandbox.errorReason ? `: ${sandbox.errorReason}` : ""})`,
    )
  const pkg = "@daytona/toolbox-api-client"
  if (req.method === "POST" && rest === "/process/execute") {
    const request = parseModel(pkg, "ExecuteRequest", body)
    const timeout = typeof request.timeout === "number" ? request.timeout * 1000 : 0
    const output = await container.run(splitCommand(String(request.command)), {
      ...(typeof request.cwd === "string" ? { cwd: request.cwd } : {}),
      env: (request.envs ?? {}) as Record<string, string>,
      timeoutMs: timeout,
    })
    if (output.timedOut) throw new HttpFailure(408, "command execution timeout")
    return sendJson(
      res,
      200,
      checkedResponse(pkg, "ExecuteResponse", {
        exitCode: output.exitCode ?? 137,
        result: Buffer.concat([output.stdout, output.stderr]).toString(),
      }),
    )
  }
  if (req.method === "POST" && rest === "/files/bulk-upload") {
    const parts = parseMultipart(body, req.headers["content-type"] ?? "")
    for (const part of parts) {
      const index = /^files\[(\d+)\]\.path$/.exec(part.name)?.[1]
      const file = parts.find((p) => p.name === `files[${index}].file`)
      if (index === undefined) continue
      if (file === undefined) throw new HttpFailure(400, `files[${index}].file is missing`)
      const host = hostPathOf(container, part.data.toString())
      await mkdir(dirname(host), { recursive: true })
      await writeFile(host, file.data)
    }
    res.writeHead(200)
    return res.end()
  }
  if (req.method === "POST" && rest === "/files/bulk-download") {
    const request = parseModel(pkg, "FilesDownloadRequest", body)
    const parts = []
    for (const path of request.paths as Array<string>) {
      const data = await readFile(hostPathOf(container, path)).catch(() => null)
      parts.push(
        data === null
          ? {
              name: "error",
              filename: path,
              contentType: "application/json",
              data: Buffer.from(JSON.stringify({ message: "file not found", statusCode: 404 })),
            }
          : { name: "file", filename: path, contentType: "application/octet-stream", data },
      )
    }
    const multipart = buildMultipart(parts)
    res.writeHead(200, { "content-type": multipart.contentType })
    return res.end(multipart.body)
  }
  if (req.method === "POST" && rest === "/git/clone") {
    const request = parseModel(pkg, "GitCloneRequest", body)
    const path = String(request.path)
    hostPathOf(container, path)
    const auth = gitAuth(request.username, request.password)
    const branch = typeof request.branch === "string" ? ["--branch", request.branch] : []
    const clone = await container.run(["git", "clone", ...branch, String(request.url), path], {
      env: auth,
      timeoutMs: 300_000,
    })
    if (clone.exitCode !== 0) throw new HttpFailure(400, `clone failed: ${clone.stderr}`)
    if (typeof request.commit_id === "string") {
      const checkout = await container.run(
        ["git", "-C", path, "checkout", "--detach", request.commit_id],
        { timeoutMs: 60_000 },
      )
      if (checkout.exitCode !== 0) throw new HttpFailure(400, `checkout failed: ${checkout.stderr}`)
    }
    res.writeHead(200)
    return res.end()
  }
  if (req.method === "POST" && rest === "/git/push") {
    const request = parseModel(pkg, "GitPushRequest", body)
    const path = String(request.path)
    hostPathOf(container, path)
    const branch = typeof request.branch === "string" ? [request.branch] : []
    const push = await container.run(
      ["git", "-C", path, "push", String(request.remote ?? "origin"), ...branch],
      { env: gitAuth(request.username, request.password), timeoutMs: 300_000 },
    )
    if (push.exitCode !== 0) throw new HttpFailure(400, `push failed: ${push.stderr}`)
    res.writeHead(200)
    return res.end()
  }
  if (req.method === "POST" && rest === "/process/session") {
    const request = parseModel(pkg, "CreateSessionRequest", body)
    const id = String(request.sessionId)
    if (sandbox.sessions.has(id)) throw new HttpFailure(409, `session ${id} already exists`)
    sandbox.sessions.set(id, new Session(id))
    res.writeHead(201)
    return res.end()
  }
  const sessionPath =
    /^\/process\/session\/([^/]+)(?:\/(exec|command\/([^/]+)(\/logs|\/input)?))?$/.exec(rest)
  if (sessionPath?.[1] !== undefined) {
    const session = sandbox.sessions.get(sessionPath[1])
    if (session === undefined) throw new HttpFailure(404, "session not found")
    const [, , action, commandId, sub] = sessionPath
    if (action === undefined) {
      if (req.method === "DELETE") {
        session.kill()
        sandbox.sessions.delete(session.id)
        res.writeHead(204)
        return res.end()
      }
      if (req.method === "GET")
        return sendJson(
          res,
          200,
          checkedResponse(pkg, "Session", {
            sessionId: session.id,
            commands: [...session.commands.values()].map((c) => ({
              id: c.id,
              command: c.command,
              ...(c.exitCode === undefined ? {} : { exitCode: c.exitCode }),
            })),
          }),
        )
    }
    if (action === "exec" && req.method === "POST") {
      const request = parseModel(pkg, "SessionExecuteRequest", body)
      const command = session.execute(container, String(request.command))
      if (request.runAsync === true || request.async === true)
        return sendJson(
          res,
          202,
          checkedResponse(pkg, "SessionExecuteResponse", { cmdId: command.id }),
        )
      await command.done
      const stdout = Buffer.concat(command.stdout).toString()
      const stderr = Buffer.concat(command.stderr).toString()
      return sendJson(
        res,
        200,
        checkedResponse(pkg, "SessionExecuteResponse", {
          cmdId: command.id,
          exitCode: command.exitCode ?? 137,
          output: stdout + stderr,
          stdout,
          stderr,
        }),
      )
    }
    const command = commandId === undefined ? undefined : session.commands.get(commandId)
    if (commandId !== undefined && command === undefined)
      throw new HttpFailure(404, "command not found")
    if (command !== undefined && sub === undefined && req.method === "GET")
      return sendJson(
        res,
        200,
        checkedResponse(pkg, "Command", {
          id: command.id,
          command: command.command,
          ...(command.exitCode === undefined ? {} : { exitCode: command.exitCode }),
        }),
      )
    if (command !== undefined && sub === "/logs" && req.method === "GET") {
      const stdout = Buffer.concat(command.stdout).toString()
      const stderr = Buffer.concat(command.stderr).toString()
      return sendJson(
        res,
        200,
        checkedResponse(pkg, "SessionCommandLogsResponse", {
          output: stdout + stderr,
          stdout,
          stderr,
        }),
      )
    }
    if (command !== undefined && sub === "/input" && req.method === "POST") {
      const request = parseModel(pkg, "SessionSendInputRequest", body)
      if (command.exitCode !== undefined) throw new HttpFailure(400, "command is not running")
      command.write(String(request.data))
      res.writeHead(204)
      return res.end()
    }
  }
  throw new HttpFailure(404, `Cannot ${req.method} ${rest}`)
}
