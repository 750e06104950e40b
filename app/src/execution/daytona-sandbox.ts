// The Daytona backend, and the only module that imports `@daytonaio/sdk`.
// Commands go through the toolbox's plain execute endpoint (one request per
// command, combined output at the end). That endpoint keeps running a command
// when the client goes away, so a cancelled command deletes its sandbox:
// nothing of a cancelled run keeps running. Interactive processes (the agent)
// run as session commands (daytona-session-process.ts).
import { Daytona, type Sandbox } from "@daytonaio/sdk"
import { Duration, Effect, Redacted, Schedule, Schema } from "effect"
import {
  errorText,
  ExecutionError,
  type ExecutionOperation,
  OperationUnsupportedError,
} from "./execution-errors.ts"
import { checkoutDestination, pushSource } from "./git-request-guard.ts"
import { resolveInWorkspace, validateWorkspaceRoot } from "./path-guard.ts"
import { branchMoved } from "./push-refusal.ts"
import { sandboxEnv } from "./sandbox-env.ts"
import type {
  ExecOptions,
  ExecResult,
  ExecutionAdapterShape,
  PushResult,
  SandboxHandle,
  SandboxSpec,
} from "./sandbox-types.ts"
import { startSessionProcess } from "./daytona-session-process.ts"
import { interactiveScript, shellQuote, shellScript, wrapScript } from "./shell-script.ts"

export interface DaytonaSandboxOptions {
  readonly apiUrl: string
  readonly apiKey: Redacted.Redacted<string>
  readonly target: string
  /**
   * CIDRs a sandbox may reach when its profile says `network: "none"`: the
   * model gateway and the git host. Empty: all network blocked.
   */
  readonly networkAllowList?: ReadonlyArray<string>
  /** Where runs work inside the sandbox (default /home/daytona/workspace). */
  readonly workspaceRoot?: string
  /** Create attempts on 5xx and connection errors (default 3). */
  readonly createAttempts?: number
  /** First retry delay, doubled each attempt (default 1 second). */
  readonly retryDelay?: Duration.Input
  /** How long create may wait for the sandbox to start (default 180 s). */
  readonly createTimeoutSeconds?: number
}

const defaultOutputCap = 1024 * 1024
// Linux caps one argument at 128 KiB; the script travels as one.
const maxScriptBytes = 96 * 1024

class CreateAttemptFailed extends Schema.TaggedError<CreateAttemptFailed>()("CreateAttemptFailed", {
  status: Schema.NullOr(Schema.Number),
  message: Schema.String,
}) {}

const statusOf = (error: unknown): number | null => {
  const status = (error as { statusCode?: unknown } | null)?.statusCode
  return typeof status === "number" ? status : null
}

const fail = (operation: ExecutionOperation, sandboxId: string | null, message: string) =>
  new ExecutionError({ operation, sandboxId, message })

/** One SDK call; its failure becomes an ExecutionError for `operation`. */
const call = <A>(operation: ExecutionOperation, sandboxId: string | null, run: () => Promise<A>) =>
  Effect.tryPromise({
    try: run,
    catch: (error) => fail(operation, sandboxId, `Daytona: ${errorText(error)}`),
  })

const minutes = (seconds: number) => Math.max(1, Math.ceil(seconds / 60))

const truncate = (text: string, cap: number) => {
  const bytes = Buffer.from(text)
  return bytes.length <= cap
    ? { text, truncated: false, bytes: bytes.length }
    : {
        text: new TextDecoder().decode(bytes.subarray(0, cap)),
        truncated: true,
        bytes: bytes.length,
      }
}

export const makeDaytonaSandbox = (options: DaytonaSandboxOptions) =>
  Effect.gen(function* () {
    const workspaceRoot = yield* validateWorkspaceRoot(
      options.workspaceRoot ?? "/home/daytona/workspace",
    ).pipe(Effect.orDie)
    // All three settings passed explicitly, so the SDK reads no DAYTONA_* variables
    // or .env files; polling instead of the socket.io event stream.
    const daytona = new Daytona({
      apiKey: Redacted.value(options.apiKey),
      apiUrl: options.apiUrl,
      target: options.target,
      useDeprecatedPolling: true,
    })
    const live = new Map<string, Sandbox>()

    const lookup = (handle: SandboxHandle, operation: ExecutionOperation) => {
      const sandbox = live.get(handle.id)
      return sandbox === undefined
        ? Effect.fail(
            fail(operation, handle.id, `sandbox ${handle.id} does not exist or was destroyed`),
          )
        : Effect.succeed(sandbox)
    }

    /** Deletes on Daytona; a sandbox Daytona no longer knows counts as deleted. */
    const remove = (id: string) =>
      Effect.suspend(() => {
        const sandbox = live.get(id)
        if (sandbox === undefined) return Effect.void
        live.delete(id)
        return Effect.tryPromise({
          try: () => sandbox.delete(),
          catch: (error) => error,
        }).pipe(
          Effect.catch((error) =>
            statusOf(error) === 404
              ? Effect.void
              : Effect.fail(
                  fail(
                    "destroy",
                    id,
                    `Daytona could not delete sandbox ${id}: ${errorText(error)}`,
                  ),
                ),
          ),
        )
      })

    const createParams = (spec: SandboxSpec) => {
      const { profile } = spec
      const allow = options.networkAllowList ?? []
      const network =
        profile.network === "egress"
          ? { networkBlockAll: false }
          : allow.length > 0
            ? { networkBlockAll: false, networkAllowList: allow.join(",") }
            : { networkBlockAll: true }
      const base = {
        labels: { ...spec.labels, "patchplane-run": spec.runId },
        envVars: { ...spec.env },
        // Never idle-stopped before the run's own deadline; deleted as soon as it stops.
        autoStopInterval: minutes(profile.timeoutSeconds),
        autoDeleteInterval: 0,
        // Wall-clock cap: Daytona destroys it even if PatchPlane is gone.
        ttlMinutes: minutes(profile.timeoutSeconds) + 5,
        ...network,
      }
      if (profile.snapshot !== undefined) return { ...base, snapshot: profile.snapshot }
      if (profile.image !== undefined)
        return {
          ...base,
          image: profile.image,
          resources: {
            cpu: profile.cpu,
            memory: Math.max(1, Math.ceil(profile.memoryMb / 1024)),
            disk: profile.diskGb,
          },
        }
      return base
    }

    const create = (spec: SandboxSpec) =>
      Effect.gen(function* () {
        yield* sandboxEnv(null, spec.env)
        const attempts = Math.max(1, options.createAttempts ?? 3)
        const params = createParams(spec)
        const attempt = Effect.suspend(() => {
          const pending = daytona.create(params, { timeout: options.createTimeoutSeconds ?? 180 })
          return Effect.tryPromise({
            try: () => pending,
            catch: (error) =>
              new CreateAttemptFailed({ status: statusOf(error), message: errorText(error) }),
          }).pipe(
            // Cancelled while Daytona was still creating: delete it once it exists.
            Effect.onInterrupt(() =>
              Effect.sync(() => {
                pending.then((late) => late.delete()).catch(() => {})
              }),
            ),
          )
        })
        const sandbox = yield* attempt.pipe(
          Effect.retry({
            schedule: Schedule.exponential(options.retryDelay ?? Duration.seconds(1)),
            times: attempts - 1,
            // 4xx (bad image, quota, auth) will not get better by asking again.
            while: (error) => error.status === null || error.status >= 500,
          }),
          Effect.mapError((error) =>
            fail(
              "create",
              null,
              `Daytona could not create a sandbox for run ${spec.runId}` +
                `${error.status === null ? "" : ` (HTTP ${error.status})`}: ${error.message}`,
            ),
          ),
        )
        live.set(sandbox.id, sandbox)
        const createdAt = new Date()
        const handle: SandboxHandle = {
          id: sandbox.id,
          backend: "daytona",
          workspaceRoot,
          runId: spec.runId,
          labels: params.labels,
          createdAt,
          deadline: new Date(createdAt.getTime() + spec.profile.timeoutSeconds * 1000),
        }
        // A sandbox that cannot be prepared is deleted, not left to its TTL.
        yield* call("create", sandbox.id, () =>
          sandbox.process.executeCommand(`mkdir -p ${shellQuote(workspaceRoot)}`),
        ).pipe(
          Effect.flatMap((response) =>
            response.exitCode === 0
              ? Effect.void
              : Effect.fail(
                  fail("create", sandbox.id, `cannot create ${workspaceRoot}: ${response.result}`),
                ),
          ),
          Effect.tapError(() => remove(sandbox.id).pipe(Effect.ignore)),
        )
        return handle
      })

    const exec = (handle: SandboxHandle, command: ReadonlyArray<string>, opts: ExecOptions = {}) =>
      Effect.gen(function* () {
        const sandbox = yield* lookup(handle, "exec")
        if (command.length === 0) return yield* fail("exec", handle.id, "empty command")
        const cwd = yield* resolveInWorkspace(
          handle.workspaceRoot,
          opts.cwd ?? handle.workspaceRoot,
        )
        const env = yield* sandboxEnv(handle.id, opts.env)
        const remaining = Math.floor((handle.deadline.getTime() - Date.now()) / 1000)
        if (remaining <= 0)
          return yield* fail(
            "exec",
            handle.id,
            "sandbox time limit reached; no further commands run",
          )
        const timeout = Math.min(opts.timeoutSeconds ?? remaining, remaining)
        const script = shellScript({
          command,
          cwd,
          env,
          ...(opts.stdin === undefined ? {} : { stdin: opts.stdin }),
        })
        if (Buffer.byteLength(script) > maxScriptBytes)
          return yield* fail(
            "exec",
            handle.id,
            `command too long for Daytona (over ${maxScriptBytes} bytes); upload large input as a file`,
          )
        const started = performance.now()
        const cap = opts.maxOutputBytes ?? defaultOutputCap
        const abort = opts.signal
        type Outcome =
          | {
              readonly kind: "done"
              readonly result: string
              readonly exitCode: number | undefined
            }
          | { readonly kind: "cancelled" }
          | { readonly kind: "failed"; readonly error: unknown }
        const request: Effect.Effect<Outcome> = Effect.tryPromise(() =>
          sandbox.process.executeCommand(wrapScript(script), undefined, undefined, timeout),
        ).pipe(
          Effect.map((r): Outcome => ({ kind: "done", result: r.result, exitCode: r.exitCode })),
          Effect.catch((failure) =>
            Effect.succeed<Outcome>({ kind: "failed", error: failure.cause }),
          ),
        )
        const cancelled = Effect.callback<Outcome>((resume) => {
          if (abort === undefined) return
          if (abort.aborted) return resume(Effect.succeed({ kind: "cancelled" }))
          const onAbort = () => resume(Effect.succeed({ kind: "cancelled" }))
          abort.addEventListener("abort", onAbort, { once: true })
          return Effect.sync(() => abort.removeEventListener("abort", onAbort))
        })
        const outcome = yield* Effect.raceFirst(request, cancelled).pipe(
          // The remote command outlives a dropped request: stop it by deleting the sandbox.
          Effect.onInterrupt(() => remove(handle.id).pipe(Effect.ignore)),
        )
        const durationMs = Math.round(performance.now() - started)
        const nothing = {
          stdout: "",
          stderr: "",
          stdoutBytes: 0,
          stderrBytes: 0,
          stdoutTruncated: false,
          stderrTruncated: false,
        }
        if (outcome.kind === "cancelled") {
          yield* remove(handle.id).pipe(Effect.ignore)
          return {
            ...nothing,
            exitCode: null,
            timedOut: false,
            cancelled: true,
            durationMs,
          } satisfies ExecResult
        }
        if (outcome.kind === "failed") {
          if (statusOf(outcome.error) === 408)
            return {
              ...nothing,
              exitCode: null,
              timedOut: true,
              cancelled: false,
              durationMs,
            } satisfies ExecResult
          return yield* fail("exec", handle.id, `Daytona: ${errorText(outcome.error)}`)
        }
        const response = outcome
        // Daytona returns stdout and stderr combined, at the end.
        const out = truncate(response.result, cap)
        if (out.text !== "") opts.onOutput?.({ stream: "stdout", text: out.text })
        return {
          exitCode: response.exitCode ?? -1,
          stdout: out.text,
          stderr: "",
          stdoutBytes: out.bytes,
          stderrBytes: 0,
          stdoutTruncated: out.truncated,
          stderrTruncated: false,
          timedOut: false,
          cancelled: false,
          durationMs,
        } satisfies ExecResult
      })

    const adapter: ExecutionAdapterShape = {
      backend: "daytona",
      create,
      exec,
      readFile: (handle, path) =>
        Effect.gen(function* () {
          const sandbox = yield* lookup(handle, "readFile")
          const abs = yield* resolveInWorkspace(handle.workspaceRoot, path)
          const bytes = yield* call("readFile", handle.id, () => sandbox.fs.downloadFile(abs))
          return new Uint8Array(bytes)
        }),
      writeFile: (handle, path, content) =>
        Effect.gen(function* () {
          const sandbox = yield* lookup(handle, "writeFile")
          const abs = yield* resolveInWorkspace(handle.workspaceRoot, path)
          yield* call("writeFile", handle.id, () =>
            sandbox.fs.uploadFile(Buffer.from(content), abs),
          )
        }),
      upload: (handle, files) =>
        Effect.gen(function* () {
          const sandbox = yield* lookup(handle, "upload")
          const batch = yield* Effect.forEach(files, (file) =>
            Effect.map(resolveInWorkspace(handle.workspaceRoot, file.path), (destination) => ({
              destination,
              // A string source is a host file path to the SDK.
              source:
                typeof file.content === "string" || file.content instanceof Uint8Array
                  ? Buffer.from(file.content)
                  : file.content.hostPath,
            })),
          )
          if (batch.length > 0)
            yield* call("upload", handle.id, () => sandbox.fs.uploadFiles(batch))
        }),
      download: (handle, files) =>
        Effect.gen(function* () {
          const sandbox = yield* lookup(handle, "download")
          const batch = yield* Effect.forEach(files, (file) =>
            Effect.map(resolveInWorkspace(handle.workspaceRoot, file.path), (source) => ({
              source,
              destination: file.hostPath,
            })),
          )
          if (batch.length === 0) return
          const results = yield* call("download", handle.id, () => sandbox.fs.downloadFiles(batch))
          const failed = results.filter((result) => result.error !== undefined)
          if (failed.length > 0)
            return yield* fail(
              "download",
              handle.id,
              failed.map((result) => `${result.source}: ${result.error}`).join("; "),
            )
        }),
      checkout: (handle, request) =>
        Effect.gen(function* () {
          const sandbox = yield* lookup(handle, "checkout")
          const abs = yield* checkoutDestination(handle, request)
          yield* Effect.tryPromise({
            try: () =>
              sandbox.git.clone(
                request.url,
                abs,
                request.branch,
                request.commit,
                request.auth?.username,
                request.auth === undefined ? undefined : Redacted.value(request.auth.token),
              ),
            // The SDK's message could quote the request; keep only the status.
            catch: (error) =>
              fail(
                "checkout",
                handle.id,
                `Daytona could not clone ${request.url}${statusOf(error) === null ? "" : ` (HTTP ${statusOf(error)})`}`,
              ),
          })
          const head = yield* exec(handle, ["git", "-C", abs, "rev-parse", "HEAD"])
          if (head.exitCode !== 0)
            return yield* fail("checkout", handle.id, `git rev-parse failed: ${head.stdout.trim()}`)
          return { path: abs, headSha: head.stdout.trim() }
        }),
      push: (handle, request) =>
        Effect.gen(function* () {
          const sandbox = yield* lookup(handle, "push")
          const abs = yield* pushSource(handle, request)
          // Daytona's git API pushes a local branch to its namesake on origin.
          // It runs in Daytona's toolbox daemon (go-git), not the agent's git,
          // so no hook is run; but it reads the checkout's .git/config, which
          // the agent could point elsewhere: origin is reset to the URL we
          // mean, and url.*.insteadOf rewrites are dropped, before the token
          // is handed over. The token is revoked as soon as the push returns
          // (push-branch.ts).
          const git = 'git -c core.hooksPath=/dev/null config --file "$1/.git/config"'
          const ref = yield* exec(handle, [
            "sh",
            "-c",
            [
              "set -eu",
              'git -C "$1" -c core.hooksPath=/dev/null update-ref "refs/heads/$2" "$3"',
              `${git} remote.origin.url "$4"`,
              `${git} --unset-all remote.origin.pushurl || true`,
              `${git} --name-only --get-regexp '^url\\.' | sed 's/\\.[^.]*$//' | sort -u | while read -r section; do ${git} --remove-section "$section" || true; done`,
            ].join("\n"),
            "push",
            abs,
            request.branch,
            request.commit,
            request.url,
          ])
          if (ref.exitCode !== 0)
            return yield* fail("push", handle.id, `preparing the push failed: ${ref.stdout.trim()}`)
          return yield* Effect.tryPromise({
            try: async (): Promise<PushResult> => {
              await sandbox.git.push(
                abs,
                request.auth?.username,
                request.auth === undefined ? undefined : Redacted.value(request.auth.token),
                request.branch,
              )
              return { kind: "pushed", commit: request.commit }
            },
            catch: (error) => error,
          }).pipe(
            Effect.catch((error) => {
              const moved = branchMoved(errorText(error), request.branch)
              return moved !== null
                ? Effect.succeed(moved)
                : Effect.fail(
                    fail(
                      "push",
                      handle.id,
                      `Daytona could not push ${request.branch}${statusOf(error) === null ? "" : ` (HTTP ${statusOf(error)})`}`,
                    ),
                  )
            }),
          )
        }),
      // The toolbox's execute endpoint answers once, at the end; an interactive
      // process runs as a session command (daytona-session-process.ts).
      spawn: (handle, command, opts = {}) =>
        Effect.gen(function* () {
          const sandbox = yield* lookup(handle, "spawn")
          if ((opts.binds ?? []).length > 0)
            return yield* new OperationUnsupportedError({
              backend: "daytona",
              operation: "spawn",
              message:
                "a Daytona sandbox cannot see host paths; the agent runtime must be in the image (runtime.pi.remote)",
            })
          if (command.length === 0) return yield* fail("spawn", handle.id, "empty command")
          const cwd = yield* resolveInWorkspace(
            handle.workspaceRoot,
            opts.cwd ?? handle.workspaceRoot,
          )
          const env = yield* sandboxEnv(handle.id, opts.env)
          const remainingMs = handle.deadline.getTime() - Date.now()
          if (remainingMs <= 0)
            return yield* fail("spawn", handle.id, "sandbox time limit reached; nothing starts")
          const script = interactiveScript({ command, cwd, env })
          if (Buffer.byteLength(script) > maxScriptBytes)
            return yield* fail("spawn", handle.id, `command too long for Daytona`)
          return yield* startSessionProcess({
            api: sandbox.process,
            sandboxId: handle.id,
            command: wrapScript(script),
            timeoutMs: Math.min((opts.timeoutSeconds ?? Infinity) * 1000, remainingMs),
            maxLineBytes: opts.maxLineBytes ?? 32 * 1024 * 1024,
            maxStderrBytes: opts.maxStderrBytes ?? 64 * 1024,
            sandboxTrouble: async () => {
              try {
                await sandbox.refreshData()
              } catch (error) {
                return `Daytona sandbox ${handle.id} is gone (${errorText(error)})`
              }
              return sandbox.state === "started"
                ? null
                : `Daytona sandbox ${handle.id} is ${sandbox.state ?? "gone"}${sandbox.errorReason ? `: ${sandbox.errorReason}` : ""}`
            },
          })
        }),
      destroy: (handle) => remove(handle.id),
    }

    yield* Effect.addFinalizer(() =>
      Effect.forEach([...live.keys()], (id) => remove(id).pipe(Effect.ignore), {
        discard: true,
      }).pipe(Effect.andThen(Effect.promise(() => daytona[Symbol.asyncDispose]()))),
    )
    return adapter
  })
