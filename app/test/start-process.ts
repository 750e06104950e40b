// `npm start` as a terminal runs it: its own process group (so a signal to
// the group is what Ctrl-C sends), a fixed free port known before it opens,
// and all its output kept for assertions.
import { type ChildProcess, spawn } from "node:child_process"
import { createServer } from "node:net"
import { resolve } from "node:path"

const MAIN = resolve(import.meta.dirname, "../src/main.ts")

export interface StartedProcess {
  readonly child: ChildProcess
  readonly port: number
  readonly url: string
  readonly output: () => string
  /** Resolves with the exit code (null after a signal). */
  readonly exited: Promise<number | null>
  /** Resolves once the start-up summary ("is up on" … "Stop: Ctrl-C") is printed. */
  readonly up: Promise<void>
  /** This start's local operator token, from the summary (after `up`). */
  readonly token: () => string
  /** Signals the whole process group, as Ctrl-C in a terminal does. */
  readonly signalGroup: (signal: NodeJS.Signals) => void
}

export const freePort = (): Promise<number> =>
  new Promise((done, fail) => {
    const server = createServer()
    server.on("error", fail)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => (typeof address === "object" && address ? done(address.port) : fail()))
    })
  })

export const startProcess = async (
  cwd: string,
  env: Record<string, string> = {},
  args: ReadonlyArray<string> = [],
  /** On a terminal (a pseudo-terminal from util-linux `script`), as a person runs it. */
  tty = false,
): Promise<StartedProcess> => {
  const port = await freePort()
  const command = [process.execPath, MAIN, ...args]
  const [file, argv] = tty
    ? ["script", ["-qfec", command.map((part) => `'${part}'`).join(" "), "/dev/null"]]
    : [process.execPath, command.slice(1)]
  const child = spawn(file, argv, {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: cwd, PORT: String(port), ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  })
  let output = ""
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)))
  const up = new Promise<void>((done, fail) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      // The summary ends with "Stop: Ctrl-C", after the sign-in line.
      if (output.includes("is up on") && output.includes("Stop: Ctrl-C")) done()
    }
    child.stdout?.on("data", onData)
    child.stderr?.on("data", onData)
    void exited.then((code) => fail(new Error(`exited with ${code}:\n${output}`)))
  })
  up.catch(() => {})
  return {
    child,
    port,
    url: `http://localhost:${port}`,
    output: () => output,
    token: () => /Authorization: Bearer (\S+)/.exec(output)?.[1] ?? "",
    exited,
    up,
    signalGroup: (signal) => {
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, signal)
    },
  }
}
