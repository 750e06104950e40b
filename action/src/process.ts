// Runs a reviewer's command (oxlint, the repo's tests) as its own process
// group, so a timeout or an early exit can kill everything it started, with a
// bounded output and an environment without the job's credentials: the code
// under review must not be able to mint an OIDC token or write step outputs.
import { spawn } from "node:child_process"
import type { Env } from "./toolkit.ts"

export interface CommandResult {
  readonly exitCode: number | null
  readonly signal: string | null
  readonly stdout: string
  readonly stderr: string
  /** Stopped because the caller's signal fired (the reviewer's timeout). */
  readonly aborted: boolean
  readonly durationMs: number
}

export interface CommandOptions {
  readonly cwd: string
  readonly env: Env
  readonly signal?: AbortSignal
  /** Per stream; the tail is kept (test runners summarise at the end). */
  readonly maxOutputBytes?: number
}

const withheld = new Set([
  "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
  "ACTIONS_ID_TOKEN_REQUEST_URL",
  "ACTIONS_RUNTIME_TOKEN",
  "ACTIONS_RUNTIME_URL",
  "ACTIONS_RESULTS_URL",
  "ACTIONS_CACHE_URL",
  "GITHUB_TOKEN",
  "GH_TOKEN",
  "GITHUB_OUTPUT",
  "GITHUB_ENV",
  "GITHUB_PATH",
  "GITHUB_STATE",
  "GITHUB_STEP_SUMMARY",
])

/** The job's environment minus credentials, inputs and the runner's command files. */
export const reviewerEnv = (env: Env): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(env))
    if (value !== undefined && !withheld.has(key) && !key.startsWith("INPUT_")) out[key] = value
  return { ...out, CI: "true", NO_COLOR: "1", FORCE_COLOR: "0" }
}

class Tail {
  private readonly max: number
  private chunks: Buffer[] = []
  private size = 0
  private dropped = false
  constructor(max: number) {
    this.max = max
  }
  push(chunk: Buffer) {
    this.chunks.push(chunk)
    this.size += chunk.length
    while (this.size > this.max && this.chunks.length > 1) {
      this.size -= this.chunks.shift()?.length ?? 0
      this.dropped = true
    }
  }
  text() {
    const all = Buffer.concat(this.chunks)
    const kept = all.length > this.max ? all.subarray(all.length - this.max) : all
    return `${this.dropped || kept.length < all.length ? "[…output truncated…]\n" : ""}${kept.toString("utf8")}`
  }
}

const killGroup = (pid: number | undefined, signal: NodeJS.Signals) => {
  if (pid === undefined) return
  try {
    process.kill(-pid, signal)
  } catch {
    // already gone
  }
}

/** `argv[0]` with `argv[1..]`; a single string runs through `sh -c`. */
export const runCommand = (
  command: string | ReadonlyArray<string>,
  options: CommandOptions,
): Promise<CommandResult> =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    const [file, ...args] = typeof command === "string" ? ["sh", "-c", command] : command
    if (file === undefined) return reject(new Error("empty command"))
    if (options.signal?.aborted) return reject(new Error("aborted before start"))
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // its own process group
    })
    const max = options.maxOutputBytes ?? 1024 * 1024
    const out = new Tail(max)
    const err = new Tail(max)
    child.stdout.on("data", (c: Buffer) => out.push(c))
    child.stderr.on("data", (c: Buffer) => err.push(c))
    let aborted = false
    let exit: { code: number | null; signal: string | null } | null = null
    let done = false
    let killTimer: NodeJS.Timeout | undefined
    const finish = () => {
      if (done || exit === null) return
      done = true
      clearTimeout(killTimer)
      options.signal?.removeEventListener("abort", onAbort)
      killGroup(child.pid, "SIGKILL") // stragglers the command left behind
      resolve({
        exitCode: exit.code,
        signal: exit.signal,
        stdout: out.text(),
        stderr: err.text(),
        aborted,
        durationMs: performance.now() - started,
      })
    }
    const onAbort = () => {
      aborted = true
      killGroup(child.pid, "SIGTERM")
      killTimer = setTimeout(() => killGroup(child.pid, "SIGKILL"), 2_000)
    }
    options.signal?.addEventListener("abort", onAbort, { once: true })
    child.once("error", (error) => {
      options.signal?.removeEventListener("abort", onAbort)
      if (!done) {
        done = true
        reject(error)
      }
    })
    child.once("exit", (code, signal) => {
      exit = { code, signal }
      // A background process holding the pipes open must not hold us up.
      setTimeout(() => {
        child.stdout.destroy()
        child.stderr.destroy()
        finish()
      }, 300)
    })
    child.once("close", finish)
  })
