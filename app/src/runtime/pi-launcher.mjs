// Runs inside the sandbox (as `node --input-type=module -e <this file>`) and
// starts the agent runtime there. The first stdin line is the launch plan
// (written by pi-launch.ts); everything after it is the runtime's own stdin.
// It:
//   1. creates the per-session directories and config files (mode 0600), so
//      the run token exists only in a file the session owns, never in argv
//      or the environment;
//   2. relays 127.0.0.1:<port> to the model gateway's unix socket, which is
//      the sandbox's one way out when it has no network;
//   3. starts the runtime with stdout/stderr inherited and stdin forwarded,
//      and exits with its exit code.
import { spawn } from "node:child_process"
import { mkdirSync, writeFileSync } from "node:fs"
import { connect, createServer } from "node:net"

const readPlan = () =>
  new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0)
    const onEnd = () => reject(new Error("no launch plan on stdin"))
    const onData = (chunk) => {
      buffered = Buffer.concat([buffered, chunk])
      const newline = buffered.indexOf(10)
      if (newline === -1) return
      process.stdin.off("data", onData)
      process.stdin.off("end", onEnd)
      process.stdin.pause()
      resolve({
        plan: JSON.parse(buffered.subarray(0, newline).toString("utf8")),
        rest: buffered.subarray(newline + 1),
      })
    }
    process.stdin.on("data", onData)
    process.stdin.once("end", onEnd)
  })

const startRelay = ({ port, socketPath }) =>
  new Promise((resolve, reject) => {
    const server = createServer((client) => {
      const gateway = connect(socketPath)
      const close = () => {
        client.destroy()
        gateway.destroy()
      }
      client.on("error", close)
      gateway.on("error", close)
      client.on("close", close)
      gateway.on("close", close)
      client.pipe(gateway).pipe(client)
    })
    server.once("error", reject)
    server.listen(port, "127.0.0.1", () => resolve(server))
  })

const fail = (message) => {
  process.stderr.write(`patchplane launcher: ${message}\n`)
  process.exit(127)
}

try {
  const { plan, rest } = await readPlan()
  for (const dir of plan.dirs) mkdirSync(dir, { recursive: true, mode: 0o700 })
  for (const file of plan.files) writeFileSync(file.path, file.content, { mode: 0o600 })
  if (plan.relay) await startRelay(plan.relay)
  const [command, ...args] = plan.command
  const child = spawn(command === "node" ? process.execPath : command, args, {
    cwd: plan.cwd,
    env: { ...process.env, ...plan.env },
    stdio: ["pipe", "inherit", "inherit"],
  })
  child.stdin.on("error", () => {})
  child.on("error", (error) => fail(`cannot start ${command}: ${error.message}`))
  child.on("exit", (code, signal) => process.exit(code ?? (signal === null ? 1 : 128)))
  if (rest.length > 0) child.stdin.write(rest)
  process.stdin.pipe(child.stdin)
} catch (error) {
  fail(error instanceof Error ? error.message : String(error))
}
