// Servers under benchmark run as child processes of the bench, so their CPU
// and memory are theirs alone. A child prints one `{"url": …}` line on stdout
// when it listens; SIGTERM stops it cleanly.
import { type ChildProcess, spawn } from "node:child_process"
import { join } from "node:path"

export interface ChildServer {
  readonly child: ChildProcess
  readonly url: string
  /** Milliseconds from spawn to the `{"url"}` line. */
  readonly startMs: number
}

export const startServer = (
  script: string,
  args: ReadonlyArray<string>,
  options: { ipc?: boolean } = {},
) =>
  new Promise<ChildServer>((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, [join(import.meta.dirname, script), ...args], {
      stdio:
        options.ipc === true ? ["ignore", "pipe", "inherit", "ipc"] : ["ignore", "pipe", "inherit"],
    })
    let out = ""
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString()
      const line = out.split("\n").find((l) => l.startsWith('{"url"'))
      if (line)
        resolve({
          child,
          url: (JSON.parse(line) as { url: string }).url,
          startMs: performance.now() - started,
        })
    })
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code}`)))
  })

/** SIGTERM, then SIGKILL if the child has not exited after `graceMs`. */
export const stopServer = (child: ChildProcess, graceMs = 15_000) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs)
    child.once("exit", () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill("SIGTERM")
  })

export const percentile = (values: ReadonlyArray<number>, p: number) => {
  const sorted = values.toSorted((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0
}

export const median = (values: ReadonlyArray<number>) => percentile(values, 50)

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** Runs a child script to completion and returns the `{"result": …}` line it printed. */
export const runForResult = <T>(script: string, args: ReadonlyArray<string>) =>
  new Promise<T>((resolve, reject) => {
    const child = spawn(process.execPath, [join(import.meta.dirname, script), ...args], {
      stdio: ["ignore", "pipe", "inherit"],
    })
    let out = ""
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString()
    })
    child.once("exit", (code) => {
      const line = out.split("\n").find((l) => l.startsWith('{"result"'))
      if (code === 0 && line) resolve((JSON.parse(line) as { result: T }).result)
      else reject(new Error(`${script} exited with ${code}`))
    })
  })
