// Runs one host process (here: bwrap) in its own process group with a
// wall-clock limit, streamed and capped output, and cancellation. Every way
// out (exit, timeout, abort, fiber interruption) SIGKILLs the whole group, and
// interruption waits until the process is really gone.
import type { ChildProcessWithoutNullStreams } from "node:child_process"
import { StringDecoder } from "node:string_decoder"
import { Effect } from "effect"
import { CappedBuffer } from "./capped-buffer.ts"
import { type GroupCommand, killGroup, SpawnFailed, spawnGroupLeader } from "./process-group.ts"
import type { OutputChunk, OutputStream } from "./sandbox-types.ts"

export interface RunRequest extends GroupCommand {
  readonly stdin?: string | Uint8Array
  readonly timeoutMs: number
  readonly signal?: AbortSignal
  readonly onOutput?: (chunk: OutputChunk) => void
  readonly maxOutputBytes: number
  /** Called with the host pid once the process runs (e.g. to watch its process tree). */
  readonly onStart?: (pid: number) => void
}

export interface RawRunResult {
  readonly exitCode: number | null
  readonly stdout: Buffer
  readonly stderr: Buffer
  readonly stdoutBytes: number
  readonly stderrBytes: number
  readonly stdoutTruncated: boolean
  readonly stderrTruncated: boolean
  readonly timedOut: boolean
  readonly cancelled: boolean
  readonly durationMs: number
}

export const runProcess = (request: RunRequest): Effect.Effect<RawRunResult, SpawnFailed> =>
  Effect.callback<RawRunResult, SpawnFailed>((resume) => {
    const started = performance.now()
    let child: ChildProcessWithoutNullStreams
    try {
      child = spawnGroupLeader(request)
    } catch (error) {
      resume(Effect.fail(new SpawnFailed(`cannot start ${request.file}: ${String(error)}`)))
      return
    }
    if (child.pid !== undefined) request.onStart?.(child.pid)
    const out = {
      stdout: new CappedBuffer(request.maxOutputBytes),
      stderr: new CappedBuffer(request.maxOutputBytes),
    }
    let timedOut = false
    let cancelled = false
    let exited = false
    let settled = false

    const kill = () => {
      if (!exited) killGroup(child)
    }
    const timer = setTimeout(() => {
      timedOut = true
      kill()
    }, request.timeoutMs)
    const onAbort = () => {
      cancelled = true
      kill()
    }
    if (request.signal?.aborted) onAbort()
    else request.signal?.addEventListener("abort", onAbort, { once: true })

    const watch = (stream: OutputStream) => {
      const decoder = new StringDecoder("utf8")
      const readable = stream === "stdout" ? child.stdout : child.stderr
      readable.on("data", (chunk: Buffer) => {
        out[stream].push(chunk)
        if (request.onOutput) {
          const text = decoder.write(chunk)
          if (text !== "") request.onOutput({ stream, text })
        }
      })
      readable.on("end", () => {
        const rest = decoder.end()
        if (rest !== "" && request.onOutput) request.onOutput({ stream, text: rest })
      })
    }
    watch("stdout")
    watch("stderr")

    // A command that does not read its stdin closes the pipe early: not an error.
    child.stdin.on("error", () => {})
    if (request.stdin === undefined) child.stdin.end()
    else child.stdin.end(request.stdin)

    const cleanup = () => {
      clearTimeout(timer)
      request.signal?.removeEventListener("abort", onAbort)
    }
    child.on("error", (error) => {
      exited = true
      cleanup()
      if (settled) return
      settled = true
      resume(Effect.fail(new SpawnFailed(`cannot start ${request.file}: ${error.message}`)))
    })
    child.on("close", (code) => {
      exited = true
      cleanup()
      if (settled) return
      settled = true
      resume(
        Effect.succeed({
          exitCode: timedOut || cancelled ? null : code,
          stdout: out.stdout.bytes(),
          stderr: out.stderr.bytes(),
          stdoutBytes: out.stdout.totalBytes,
          stderrBytes: out.stderr.totalBytes,
          stdoutTruncated: out.stdout.truncated,
          stderrTruncated: out.stderr.truncated,
          timedOut,
          cancelled,
          durationMs: Math.round(performance.now() - started),
        }),
      )
    })

    // Fiber interruption: kill and wait for the process to be gone.
    return Effect.promise(
      () =>
        new Promise<void>((resolve) => {
          cleanup()
          if (exited) return resolve()
          child.once("close", () => resolve())
          child.once("error", () => resolve())
          kill()
        }),
    )
  })
