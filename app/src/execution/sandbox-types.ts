// What every ExecutionAdapter backend (local bubblewrap, Daytona) offers, in
// plain data: the orchestration never learns which backend it talks to.
import type { Effect, Redacted, Scope, Stream } from "effect"
import type { SandboxBackend, SandboxProfile } from "@patchplane/domain"
import type {
  ExecutionError,
  OperationUnsupportedError,
  SandboxUnavailableError,
  WorkspacePathError,
} from "./execution-errors.ts"

export interface SandboxSpec {
  /** The WorkflowRun this sandbox serves; becomes the `patchplane-run` label. */
  readonly runId: string
  readonly profile: SandboxProfile
  readonly labels?: Readonly<Record<string, string>>
  /**
   * Environment every command in the sandbox sees, on top of the backend's
   * small allow-list (PATH, HOME, LANG, TMPDIR). Nothing is inherited from the
   * control plane.
   */
  readonly env?: Readonly<Record<string, string>>
}

export interface SandboxHandle {
  /** Backend id: `local-<uuid>` or the Daytona sandbox id. Record it on the RuntimeSession. */
  readonly id: string
  readonly backend: SandboxBackend
  /** Absolute path inside the sandbox; every path argument must stay under it. */
  readonly workspaceRoot: string
  readonly runId: string
  readonly labels: Readonly<Record<string, string>>
  readonly createdAt: Date
  /** Wall-clock deadline from `profile.timeoutSeconds`; commands stop there. */
  readonly deadline: Date
}

export type OutputStream = "stdout" | "stderr"

export interface OutputChunk {
  readonly stream: OutputStream
  readonly text: string
}

export interface ExecOptions {
  /** Working directory inside the sandbox (default: the workspace root). */
  readonly cwd?: string
  /** Extra environment for this command only (e.g. a per-command credential). */
  readonly env?: Readonly<Record<string, string>>
  /** Per-command limit; never beyond the sandbox deadline. */
  readonly timeoutSeconds?: number
  readonly stdin?: string | Uint8Array
  /** Called with output as it arrives (the local sandbox streams; Daytona delivers at the end). */
  readonly onOutput?: (chunk: OutputChunk) => void
  /** Aborting stops the command and yields a result with `cancelled: true`. */
  readonly signal?: AbortSignal
  /** Kept per stream in the result (default 1 MiB); the rest is counted, not kept. */
  readonly maxOutputBytes?: number
}

export interface ExecResult {
  /** Null when the command was killed (timeout, cancel) or died on a signal. */
  readonly exitCode: number | null
  readonly stdout: string
  readonly stderr: string
  /** Total bytes the command wrote, including what the cap dropped. */
  readonly stdoutBytes: number
  readonly stderrBytes: number
  readonly stdoutTruncated: boolean
  readonly stderrTruncated: boolean
  readonly timedOut: boolean
  readonly cancelled: boolean
  readonly durationMs: number
}

export interface FileToUpload {
  /** Destination inside the sandbox. */
  readonly path: string
  /** Bytes to write, or a file on the control-plane host to copy. */
  readonly content: string | Uint8Array | { readonly hostPath: string }
}

export interface FileToDownload {
  readonly path: string
  /** Where to write it on the control-plane host. */
  readonly hostPath: string
}

export interface CheckoutRequest {
  /** https URL without credentials (or, for the local sandbox, a bound path). */
  readonly url: string
  /** Destination inside the workspace. */
  readonly path: string
  readonly branch?: string
  readonly commit?: string
  /** Sent for the clone only (an HTTP header / API field), never written to `.git/config`. */
  readonly auth?: { readonly username: string; readonly token: Redacted.Redacted<string> }
}

export interface CheckoutResult {
  readonly path: string
  readonly headSha: string
}

/**
 * Publishes a commit of a checkout to a branch on the git host. Like a
 * checkout it is the control plane's act, not the agent's: the credential
 * reaches that one git process only.
 */
export interface PushRequest {
  /** The checkout inside the workspace. */
  readonly path: string
  /** The commit to publish (a sha the PatchSet recorded). */
  readonly commit: string
  /** https URL without credentials (or, for the local sandbox, a bound path). */
  readonly url: string
  /** Branch name on the remote, without refs/heads/. */
  readonly branch: string
  /** Replace whatever the branch holds (our own run branch); otherwise fast-forward only. */
  readonly force: boolean
  readonly auth?: { readonly username: string; readonly token: Redacted.Redacted<string> }
}

export type PushResult =
  | { readonly kind: "pushed"; readonly commit: string }
  /** The remote branch moved on (someone pushed): a fast-forward is impossible. */
  | { readonly kind: "rejected"; readonly reason: string }

export type ExecFailure = ExecutionError | WorkspacePathError

/** A host path made visible to one spawned process (the local backend only). */
export interface ProcessBind {
  readonly hostPath: string
  readonly sandboxPath: string
  /** Default true: the process may read, not write. */
  readonly readOnly?: boolean
}

export interface SpawnOptions {
  /** Working directory inside the sandbox (default: the workspace root). */
  readonly cwd?: string
  /** Extra environment for this process only. */
  readonly env?: Readonly<Record<string, string>>
  /** Wall-clock limit; never beyond the sandbox deadline. */
  readonly timeoutSeconds?: number
  /**
   * Host paths bound into this process's sandbox, e.g. an installed agent
   * runtime (read-only) or the directory of a relay socket. Set by the
   * control plane, never by what runs inside.
   */
  readonly binds?: ReadonlyArray<ProcessBind>
  /** Lines longer than this are dropped (and counted); default 32 MiB. */
  readonly maxLineBytes?: number
  /** The last this-many bytes of stderr are kept (default 64 KiB). */
  readonly maxStderrBytes?: number
}

export interface ProcessExit {
  /** Null when the process was killed or died on a signal. */
  readonly exitCode: number | null
  readonly signal: string | null
  readonly timedOut: boolean
  /** Stopped by `kill`, the scope closing or the sandbox being destroyed. */
  readonly killed: boolean
  /** Why the sandbox was stopped under it, e.g. a sandbox-wide limit it exceeded. */
  readonly reason?: string
}

/**
 * A long-running process in a sandbox, talking over stdin/stdout (e.g. an
 * agent runtime's JSON-lines protocol). It lives in the scope `spawn` ran in:
 * closing the scope kills it and waits until it is gone.
 */
export interface SandboxProcess {
  /** Writes to stdin as-is (add the newline yourself). */
  readonly write: (text: string) => Effect.Effect<void, ExecutionError>
  /** Closes stdin: for most line protocols, "no more input, finish up". */
  readonly closeStdin: Effect.Effect<void>
  /**
   * stdout split on "\n" only (a trailing "\r" is dropped). Unicode line
   * separators stay inside their line, so JSON lines are never cut apart.
   * Single consumer; ends when stdout closes.
   */
  readonly lines: Stream.Stream<string>
  /** The tail of stderr so far, for diagnostics. */
  readonly stderrTail: () => string
  /** Kills the process and everything it started (the whole sandbox instance). */
  readonly kill: Effect.Effect<void>
  /** Waits for the process to end. */
  readonly exit: Effect.Effect<ProcessExit>
}

export interface ExecutionAdapterShape {
  readonly backend: SandboxBackend
  readonly create: (
    spec: SandboxSpec,
  ) => Effect.Effect<SandboxHandle, ExecutionError | SandboxUnavailableError>
  readonly exec: (
    sandbox: SandboxHandle,
    command: ReadonlyArray<string>,
    options?: ExecOptions,
  ) => Effect.Effect<ExecResult, ExecFailure>
  readonly readFile: (
    sandbox: SandboxHandle,
    path: string,
  ) => Effect.Effect<Uint8Array, ExecFailure>
  readonly writeFile: (
    sandbox: SandboxHandle,
    path: string,
    content: string | Uint8Array,
  ) => Effect.Effect<void, ExecFailure>
  readonly upload: (
    sandbox: SandboxHandle,
    files: ReadonlyArray<FileToUpload>,
  ) => Effect.Effect<void, ExecFailure>
  readonly download: (
    sandbox: SandboxHandle,
    files: ReadonlyArray<FileToDownload>,
  ) => Effect.Effect<void, ExecFailure>
  readonly checkout: (
    sandbox: SandboxHandle,
    request: CheckoutRequest,
  ) => Effect.Effect<CheckoutResult, ExecFailure>
  readonly push: (
    sandbox: SandboxHandle,
    request: PushRequest,
  ) => Effect.Effect<PushResult, ExecFailure>
  /**
   * Starts a long-running process with piped stdin/stdout: a bwrap instance
   * locally, a session command on Daytona (which refuses `binds` with
   * OperationUnsupportedError: it cannot see host paths).
   */
  readonly spawn: (
    sandbox: SandboxHandle,
    command: ReadonlyArray<string>,
    options?: SpawnOptions,
  ) => Effect.Effect<SandboxProcess, ExecFailure | OperationUnsupportedError, Scope.Scope>
  /** Kills everything in the sandbox and deletes it; destroying twice is a no-op. */
  readonly destroy: (sandbox: SandboxHandle) => Effect.Effect<void, ExecutionError>
}
