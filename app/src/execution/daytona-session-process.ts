// An interactive process on Daytona, through the toolbox's session API
// (SDK 0.218): `createSession`, `executeSessionCommand` with `runAsync`,
// `sendSessionCommandInput` for stdin and `getSessionCommandLogs` with
// callbacks for live stdout/stderr (a WebSocket that closes when the command
// ends). Written against the few methods it needs, so only
// daytona-sandbox.ts imports the SDK.
import { randomUUID } from "node:crypto"
import { type Cause, Effect, Queue, type Scope, Stream } from "effect"
import { errorText, ExecutionError } from "./execution-errors.ts"
import { LineSplitter } from "./line-splitter.ts"
import type { ProcessExit, SandboxProcess } from "./sandbox-types.ts"

/** The part of the SDK's `sandbox.process` a session process uses. */
export interface DaytonaSessionApi {
  createSession(sessionId: string): Promise<void>
  executeSessionCommand(
    sessionId: string,
    req: { command: string; runAsync?: boolean },
  ): Promise<{ cmdId?: string }>
  sendSessionCommandInput(sessionId: string, commandId: string, data: string): Promise<void>
  getSessionCommandLogs(
    sessionId: string,
    commandId: string,
    onStdout: (chunk: string) => void,
    onStderr: (chunk: string) => void,
  ): Promise<void>
  getSessionCommand(sessionId: string, commandId: string): Promise<{ exitCode?: number }>
  deleteSession(sessionId: string): Promise<void>
}

export interface SessionProcessRequest {
  readonly api: DaytonaSessionApi
  readonly sandboxId: string
  /** One command line (Daytona runs it in the session's shell). */
  readonly command: string
  readonly timeoutMs: number
  readonly maxLineBytes: number
  readonly maxStderrBytes: number
  /** Why the sandbox is gone, when it is (its state and Daytona's error reason), else null. */
  readonly sandboxTrouble: () => Promise<string | null>
}

const fail = (sandboxId: string, message: string) =>
  new ExecutionError({ operation: "spawn", sandboxId, message })

/** Starts the command in a fresh session; closing the scope deletes the session (and so the process). */
export const startSessionProcess = (
  request: SessionProcessRequest,
): Effect.Effect<SandboxProcess, ExecutionError, Scope.Scope> =>
  Effect.gen(function* () {
    const { api, sandboxId } = request
    const sessionId = `patchplane-${randomUUID()}`
    yield* Effect.tryPromise({
      try: () => api.createSession(sessionId),
      catch: (error) => fail(sandboxId, `Daytona could not create a session: ${errorText(error)}`),
    })
    const started = yield* Effect.tryPromise({
      try: () => api.executeSessionCommand(sessionId, { command: request.command, runAsync: true }),
      catch: (error) => fail(sandboxId, `Daytona could not start the command: ${errorText(error)}`),
    }).pipe(
      Effect.tapError(() => Effect.promise(() => api.deleteSession(sessionId).catch(() => {}))),
    )
    const commandId = started.cmdId
    if (commandId === undefined) {
      yield* Effect.promise(() => api.deleteSession(sessionId).catch(() => {}))
      return yield* fail(sandboxId, "Daytona answered without a command id")
    }

    const queue = Effect.runSync(Queue.unbounded<string, Cause.Done>())
    const splitter = new LineSplitter(request.maxLineBytes)
    let stderr = ""
    let killed = false
    let timedOut = false
    let deleted: Promise<void> | null = null
    const deleteSession = () => {
      deleted ??= api.deleteSession(sessionId).catch(() => {})
      return deleted
    }
    const appendStderr = (text: string) => {
      stderr = (stderr + text).slice(-request.maxStderrBytes)
    }

    const timer = setTimeout(() => {
      timedOut = true
      void deleteSession()
    }, request.timeoutMs)

    const exit = (async (): Promise<ProcessExit> => {
      // Resolves when the daemon closes the log stream: the command ended (or the sandbox did).
      await api
        .getSessionCommandLogs(
          sessionId,
          commandId,
          (text) => {
            for (const line of splitter.push(Buffer.from(text))) Queue.offerUnsafe(queue, line)
          },
          appendStderr,
        )
        .catch((error: unknown) => appendStderr(`\nDaytona log stream failed: ${errorText(error)}`))
      for (const line of splitter.end()) Queue.offerUnsafe(queue, line)
      Queue.endUnsafe(queue)
      clearTimeout(timer)
      if (killed || timedOut) return { exitCode: null, signal: null, timedOut, killed }
      // The daemon may close the log stream a moment before it records the exit code.
      let exitCode: number | undefined
      for (let attempt = 0; attempt < 10 && exitCode === undefined; attempt++) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 200))
        const command = await api.getSessionCommand(sessionId, commandId).catch(() => null)
        if (command === null) break
        exitCode = command.exitCode
      }
      const trouble = await request.sandboxTrouble().catch(() => null)
      if (trouble !== null) appendStderr(`\n${trouble}`)
      if (typeof exitCode !== "number" || trouble !== null)
        return { exitCode: null, signal: null, timedOut: false, killed: false }
      return { exitCode, signal: null, timedOut: false, killed: false }
    })()

    const kill = Effect.promise(async () => {
      killed = true
      await deleteSession()
      await exit
    })

    yield* Effect.addFinalizer(() => kill)

    const process: SandboxProcess = {
      write: (text) =>
        Effect.tryPromise({
          try: () => api.sendSessionCommandInput(sessionId, commandId, text),
          catch: (error) =>
            new ExecutionError({
              operation: "spawn",
              sandboxId,
              message: `cannot write to the process: ${errorText(error)}`,
            }),
        }),
      // Daytona's session API has no end-of-input; ending the session is the closest.
      closeStdin: Effect.promise(() => deleteSession()),
      lines: Stream.fromQueue(queue),
      stderrTail: () => stderr,
      kill,
      exit: Effect.promise(() => exit),
    }
    return process
  })
