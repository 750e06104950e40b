// Starts one long-running host process (here: bwrap around an agent runtime)
// with piped stdin and stdout framed into lines. Like process-runner.ts, it
// runs in its own process group and every way out (kill, timeout, the scope
// closing) SIGKILLs the group and waits until the process is gone. stdout is
// read eagerly into a queue, so nothing is lost before the consumer starts.
import { Effect, Queue, Stream } from "effect"
import type { Cause } from "effect"
import { LineSplitter } from "./line-splitter.ts"
import { type GroupCommand, killGroup, SpawnFailed, spawnGroupLeader } from "./process-group.ts"
import type { ProcessExit } from "./sandbox-types.ts"

export interface SpawnRequest extends GroupCommand {
  readonly timeoutMs: number
  readonly maxLineBytes: number
  readonly maxStderrBytes: number
}

export interface SpawnedProcess {
  readonly pid: number
  readonly write: (text: string) => Promise<void>
  readonly closeStdin: () => void
  readonly lines: Stream.Stream<string>
  readonly stderrTail: () => string
  /** SIGKILLs the process group; resolves once the process has exited. */
  readonly kill: () => Promise<ProcessExit>
  readonly exited: Promise<ProcessExit>
}

/** Starts the process; the caller owns it (see `spawnScoped` for the scoped form). */
export const spawnProcess = (request: SpawnRequest): Effect.Effect<SpawnedProcess, SpawnFailed> =>
  Effect.callback<SpawnedProcess, SpawnFailed>((resume) => {
    const child = spawnGroupLeader(request)
    const queue = Effect.runSync(Queue.unbounded<string, Cause.Done>())
    const splitter = new LineSplitter(request.maxLineBytes)
    let stderr = ""
    let exited = false
    let killed = false
    let timedOut = false
    const exit = Promise.withResolvers<ProcessExit>()

    const kill = () => {
      if (!exited) killGroup(child)
    }
    const timer = setTimeout(() => {
      timedOut = true
      kill()
    }, request.timeoutMs)

    child.stdout.on("data", (chunk: Buffer) => {
      for (const line of splitter.push(chunk)) Queue.offerUnsafe(queue, line)
    })
    child.stdout.on("end", () => {
      for (const line of splitter.end()) Queue.offerUnsafe(queue, line)
      Queue.endUnsafe(queue)
    })
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString("utf8")).slice(-request.maxStderrBytes)
    })
    // Writing after the process is gone is reported by `write`, not thrown here.
    child.stdin.on("error", () => {})

    child.on("close", (code, signal) => {
      exited = true
      clearTimeout(timer)
      // stdout may never have opened (spawn error): make sure the stream ends.
      Queue.endUnsafe(queue)
      exit.resolve({
        exitCode: killed || timedOut ? null : code,
        signal: signal ?? null,
        timedOut,
        killed,
      })
    })
    child.once("error", (error) => {
      if (child.pid !== undefined) return
      exited = true
      clearTimeout(timer)
      resume(Effect.fail(new SpawnFailed(`cannot start ${request.file}: ${error.message}`)))
    })
    child.once("spawn", () => {
      const pid = child.pid ?? -1
      resume(
        Effect.succeed({
          pid,
          write: (text) =>
            new Promise<void>((resolve, reject) => {
              if (exited || !child.stdin.writable)
                return reject(new Error("the process is not running"))
              child.stdin.write(text, (error) => (error ? reject(error) : resolve()))
            }),
          closeStdin: () => {
            if (child.stdin.writable) child.stdin.end()
          },
          lines: Stream.fromQueue(queue),
          stderrTail: () => stderr,
          kill: () => {
            if (!exited) killed = true
            kill()
            return exit.promise
          },
          exited: exit.promise,
        }),
      )
    })
  })

/** `spawnProcess` tied to the current scope: closing it kills the process and waits. */
export const spawnScoped = (request: SpawnRequest) =>
  Effect.acquireRelease(spawnProcess(request), (proc) =>
    Effect.promise(() => proc.kill()).pipe(Effect.asVoid),
  )
