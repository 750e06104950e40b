// The embedded default backend: every command runs in its own bubblewrap
// container over the sandbox's temp workspace. Nothing survives a command
// except files under the workspace and home, so "destroy" is: stop what
// runs, delete the directory. When the control plane runs as root, sandboxes
// run as an unprivileged uid (rlimits such as the process count do not bind
// root, and code escaping the sandbox must not be root).
import { randomUUID } from "node:crypto"
import {
  chmod,
  chown,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  readlink,
  rm,
  writeFile,
} from "node:fs/promises"
import { spawn } from "node:child_process"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { Effect } from "effect"
import { bwrapArgs, type HostLayout, type SandboxLimits } from "./bwrap-args.ts"
import { locateHostTools, type HostTools } from "./bwrap-probe.ts"
import {
  errorText,
  ExecutionError,
  type ExecutionOperation,
  SandboxUnavailableError,
} from "./execution-errors.ts"
import { cleanGitEnv, cleanGitFlags, transportOf } from "./clean-git.ts"
import { gitAuthEnv, isHttpUrl, scrub, secretForms } from "./git-credentials.ts"
import { checkoutDestination, pushSource } from "./git-request-guard.ts"
import { resolveInWorkspace } from "./path-guard.ts"
import { diskUsage, formatSize, treeUsage } from "./sandbox-usage.ts"
import { branchMoved } from "./push-refusal.ts"
import { type RawRunResult, runProcess } from "./process-runner.ts"
import { spawnProcess } from "./process-spawner.ts"
import { baseSandboxEnv, sandboxEnv } from "./sandbox-env.ts"
import type {
  ExecOptions,
  ExecResult,
  ExecutionAdapterShape,
  ProcessBind,
  ProcessExit,
  PushRequest,
  SandboxHandle,
  SandboxProcess,
  SandboxSpec,
  SpawnOptions,
} from "./sandbox-types.ts"

export interface LocalSandboxOptions {
  /** Where sandbox directories are created (default: the OS temp dir). */
  readonly baseDir?: string
  /** Explicit bwrap / prlimit binaries; otherwise looked up in `searchPath`. */
  readonly bwrapPath?: string
  readonly prlimitPath?: string
  /** PATH-style list searched for bwrap and prlimit (default: this process's PATH plus /usr/bin:/bin). */
  readonly searchPath?: string
  /**
   * Host directories bound read-only at the same path, with their `bin/` on
   * the sandbox PATH. Default: the running Node.js install when it lives
   * outside /usr, so the agent runtime has a `node`.
   */
  readonly toolDirs?: ReadonlyArray<string>
  /** Host paths bound read-only into every sandbox (e.g. a local git remote). */
  readonly readOnlyBinds?: ReadonlyArray<{
    readonly hostPath: string
    readonly sandboxPath: string
  }>
  /** The uid/gid sandboxes run as when the control plane is root (default 65534, nobody). */
  readonly sandboxUser?: { readonly uid: number; readonly gid: number }
}

export const localWorkspaceRoot = "/workspace"
const sandboxHome = "/home/sandbox"
const defaultOutputCap = 1024 * 1024
const defaultLineCap = 32 * 1024 * 1024
const defaultStderrTail = 64 * 1024
const fileCap = 64 * 1024 * 1024
const mib = 1024 * 1024
const watchIntervalMs = 250

interface RunningCommand {
  readonly abort: AbortController
  readonly done: Promise<void>
}

interface LocalSandbox {
  readonly handle: SandboxHandle
  readonly spec: SandboxSpec
  readonly hostDir: string
  readonly workspaceDir: string
  readonly homeDir: string
  readonly running: Set<RunningCommand>
  /** Host pids of the bwrap processes running now: the roots of the sandbox's process trees. */
  readonly roots: Set<number>
  /** Why the sandbox was stopped (a sandbox-wide limit); every later operation fails with it. */
  stopped: string | null
  watcher: ReturnType<typeof setInterval> | null
  destroyed: boolean
}

interface InternalRun extends ExecOptions {
  readonly network?: boolean
  readonly operation?: ExecutionOperation
  /**
   * A process that must not see the agent's files: neither the workspace nor
   * the sandbox's home is mounted (only `binds`), HOME is its own fresh /tmp,
   * and the sandbox spec's environment is left out.
   */
  readonly isolated?: { readonly binds: ReadonlyArray<ProcessBind> }
}

const topLevelDirs = ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"]
const etcEntries = [
  "/etc/alternatives",
  "/etc/ca-certificates",
  "/etc/ssl",
  "/etc/hosts",
  "/etc/resolv.conf",
  "/etc/nsswitch.conf",
  "/etc/host.conf",
  "/etc/gai.conf",
  "/etc/ld.so.cache",
  "/etc/localtime",
  "/etc/mime.types",
]

/** Merged-/usr systems have /bin → usr/bin symlinks; older ones real directories. */
const hostLayout = async (toolDirs: ReadonlyArray<string>): Promise<HostLayout> => {
  const symlinks: Array<{ path: string; target: string }> = []
  const readOnlyDirs = ["/usr"]
  for (const path of topLevelDirs) {
    const stat = await lstat(path).catch(() => null)
    if (stat === null) continue
    if (stat.isSymbolicLink()) symlinks.push({ path, target: await readlink(path) })
    else if (stat.isDirectory()) readOnlyDirs.push(path)
  }
  return { symlinks, readOnlyDirs: [...readOnlyDirs, ...toolDirs], etcEntries }
}

const defaultToolDirs = (): Array<string> => {
  const prefix = dirname(dirname(process.execPath))
  return prefix === "/usr" || prefix.startsWith("/usr/") ? [] : [prefix]
}

const limitsOf = (spec: SandboxSpec): SandboxLimits => ({
  maxProcesses: spec.profile.maxProcesses,
  memoryBytes: spec.profile.memoryMb * mib,
  cpuSeconds: spec.profile.cpu * spec.profile.timeoutSeconds,
  fileSizeBytes: spec.profile.diskGb * 1024 * mib,
  openFiles: 4096,
})

const decode = (bytes: Buffer) => new TextDecoder("utf-8").decode(bytes)

const fail = (operation: ExecutionOperation, sandboxId: string | null, message: string) =>
  new ExecutionError({ operation, sandboxId, message })

const toExecResult = (raw: RawRunResult): ExecResult => ({
  exitCode: raw.exitCode,
  stdout: decode(raw.stdout),
  stderr: decode(raw.stderr),
  stdoutBytes: raw.stdoutBytes,
  stderrBytes: raw.stderrBytes,
  stdoutTruncated: raw.stdoutTruncated,
  stderrTruncated: raw.stderrTruncated,
  timedOut: raw.timedOut,
  cancelled: raw.cancelled,
  durationMs: raw.durationMs,
})

/** Removes a sandbox directory even if the agent made parts of it unreadable. */
const forceRemove = async (dir: string): Promise<void> => {
  try {
    await rm(dir, { recursive: true, force: true })
  } catch {
    await new Promise<void>((resolve) => {
      const unlock = spawn("chmod", ["-R", "u+rwX", dir], {
        stdio: "ignore",
        env: { PATH: "/usr/bin:/bin" },
      })
      unlock.on("close", () => resolve())
      unlock.on("error", () => resolve())
    })
    await rm(dir, { recursive: true, force: true })
  }
}

export const makeLocalSandbox = (options: LocalSandboxOptions = {}) =>
  Effect.gen(function* () {
    const sandboxes = new Map<string, LocalSandbox>()
    const toolDirs = options.toolDirs ?? defaultToolDirs()
    const layout = yield* Effect.promise(() => hostLayout(toolDirs))
    const isRoot = process.getuid?.() === 0
    const user = isRoot
      ? (options.sandboxUser ?? { uid: 65534, gid: 65534 })
      : { uid: process.getuid?.() ?? 1000, gid: process.getgid?.() ?? 1000 }
    const sandboxPath = [
      ...toolDirs.map((dir) => join(dir, "bin")),
      "/usr/local/bin",
      "/usr/bin",
      "/bin",
    ].join(":")
    let tools: HostTools | undefined
    let probed = false

    const ensureTools = Effect.gen(function* () {
      if (tools !== undefined) return tools
      tools = yield* locateHostTools({
        ...(options.bwrapPath === undefined ? {} : { bwrapPath: options.bwrapPath }),
        ...(options.prlimitPath === undefined ? {} : { prlimitPath: options.prlimitPath }),
        searchPath: options.searchPath ?? `${process.env.PATH ?? ""}:/usr/bin:/bin`,
      })
      return tools
    })

    const lookup = (handle: SandboxHandle, operation: ExecutionOperation) => {
      const sandbox = sandboxes.get(handle.id)
      if (sandbox === undefined || sandbox.destroyed)
        return Effect.fail(
          fail(operation, handle.id, `sandbox ${handle.id} does not exist or was destroyed`),
        )
      if (sandbox.stopped !== null)
        return Effect.fail(
          fail(operation, handle.id, `the sandbox was stopped: ${sandbox.stopped}`),
        )
      return Effect.succeed(sandbox)
    }

    /** Stops everything running in the sandbox for good, recording why. */
    const stopSandbox = (sandbox: LocalSandbox, reason: string) => {
      if (sandbox.stopped !== null) return
      sandbox.stopped = reason
      for (const command of sandbox.running) command.abort.abort()
    }

    /**
     * The sandbox-wide totals (sandbox-usage.ts): resident memory and process
     * count of all its process trees, every tick; disk every few ticks.
     */
    const watch = (sandbox: LocalSandbox) => {
      const { profile } = sandbox.spec
      const memoryLimit = profile.memoryMb * mib
      const diskLimit = profile.diskGb * 1024 * mib
      let busy = false
      let tick = 0
      sandbox.watcher = setInterval(() => {
        if (busy || sandbox.stopped !== null || sandbox.destroyed) return
        busy = true
        tick += 1
        void (async () => {
          const usage = await treeUsage([...sandbox.roots])
          if (usage.rssBytes > memoryLimit)
            return stopSandbox(
              sandbox,
              `sandbox exceeded its memory limit: ${formatSize(usage.rssBytes)} of ${formatSize(memoryLimit)} across ${usage.processes} processes`,
            )
          // RLIMIT_NPROC refuses forks at the limit, so a fork bomb churns just
          // under it rather than over: within 10% of it is treated as reached.
          if (usage.processes >= Math.max(2, Math.floor(profile.maxProcesses * 0.9)))
            return stopSandbox(
              sandbox,
              `sandbox reached its process limit: ${usage.processes} processes of ${profile.maxProcesses}`,
            )
          if (tick % 8 !== 0) return
          const disk = await diskUsage([sandbox.workspaceDir, sandbox.homeDir])
          if (disk > diskLimit)
            stopSandbox(
              sandbox,
              `sandbox exceeded its disk limit: ${formatSize(disk)} of ${formatSize(diskLimit)}`,
            )
        })()
          .catch(() => {})
          .finally(() => {
            busy = false
          })
      }, watchIntervalMs)
      sandbox.watcher.unref()
    }

    /** The bwrap invocation of one command: arguments, environment and time limit. */
    const prepare = (
      sandbox: LocalSandbox,
      command: ReadonlyArray<string>,
      opts: InternalRun & { readonly binds?: ReadonlyArray<ProcessBind> },
    ) =>
      Effect.gen(function* () {
        const { handle, spec } = sandbox
        const operation = opts.operation ?? "exec"
        // Located by `create`, which every sandbox went through.
        const host = tools
        if (host === undefined) return yield* fail(operation, handle.id, "bwrap was not located")
        if (command.length === 0) return yield* fail(operation, handle.id, "empty command")
        const isolated = opts.isolated
        const cwd =
          isolated === undefined
            ? yield* resolveInWorkspace(handle.workspaceRoot, opts.cwd ?? handle.workspaceRoot)
            : "/tmp"
        const remainingMs = handle.deadline.getTime() - Date.now()
        if (remainingMs <= 0)
          return yield* fail(
            operation,
            handle.id,
            `sandbox time limit of ${spec.profile.timeoutSeconds}s reached; no further commands run`,
          )
        const requestedMs = (opts.timeoutSeconds ?? spec.profile.timeoutSeconds) * 1000
        const env = yield* sandboxEnv(
          handle.id,
          baseSandboxEnv({
            path: sandboxPath,
            home: isolated === undefined ? sandboxHome : "/tmp",
          }),
          isolated === undefined ? spec.env : {},
          opts.env,
        )
        const extra = isolated?.binds ?? opts.binds ?? []
        const agentDirs =
          isolated === undefined
            ? [
                { hostPath: sandbox.workspaceDir, sandboxPath: handle.workspaceRoot },
                { hostPath: sandbox.homeDir, sandboxPath: sandboxHome },
              ]
            : []
        const args = bwrapArgs({
          layout,
          writableBinds: [...agentDirs, ...extra.filter((bind) => bind.readOnly === false)],
          passwdFile: join(sandbox.hostDir, "etc", "passwd"),
          groupFile: join(sandbox.hostDir, "etc", "group"),
          readOnlyBinds: [
            ...(options.readOnlyBinds ?? []),
            ...extra.filter((bind) => bind.readOnly !== false),
          ],
          network: opts.network ?? spec.profile.network === "egress",
          env,
          cwd,
          limits: limitsOf(spec),
          prlimitPath: host.prlimit,
          command,
        })
        // bwrap reads its options from fd 3: the sandbox's pid 1 is a bwrap
        // whose /proc/1/cmdline would otherwise list every host path bound in.
        // The command itself (prlimit and what it runs) stays on the command line.
        const split = args.indexOf(host.prlimit) - 1
        return {
          file: host.bwrap,
          args: ["--args", "3", ...args.slice(split)],
          fd3: Buffer.from(
            args
              .slice(0, split)
              .map((arg) => `${arg}\0`)
              .join(""),
          ),
          env,
          timeoutMs: Math.min(requestedMs, remainingMs),
          operation,
        }
      })

    /** Runs one command in a fresh bwrap over the sandbox's directories. */
    const run = (sandbox: LocalSandbox, command: ReadonlyArray<string>, opts: InternalRun) =>
      Effect.gen(function* () {
        const { handle } = sandbox
        const { file, args, fd3, env, timeoutMs, operation } = yield* prepare(
          sandbox,
          command,
          opts,
        )
        const abort = new AbortController()
        const outer = opts.signal
        const forward = () => abort.abort()
        if (outer?.aborted) abort.abort()
        else outer?.addEventListener("abort", forward, { once: true })
        const finished = Promise.withResolvers<void>()
        const entry: RunningCommand = { abort, done: finished.promise }
        sandbox.running.add(entry)
        let root: number | null = null
        const raw = yield* runProcess({
          file,
          args,
          fd3,
          // bwrap itself (pid 1 in the sandbox) gets only the allow-list too.
          env,
          ...(isRoot ? { uid: user.uid, gid: user.gid } : {}),
          ...(opts.stdin === undefined ? {} : { stdin: opts.stdin }),
          timeoutMs,
          signal: abort.signal,
          ...(opts.onOutput === undefined ? {} : { onOutput: opts.onOutput }),
          maxOutputBytes: opts.maxOutputBytes ?? defaultOutputCap,
          onStart: (pid) => {
            root = pid
            sandbox.roots.add(pid)
          },
        }).pipe(
          Effect.mapError((error) => fail(operation, handle.id, error.message)),
          Effect.ensuring(
            Effect.sync(() => {
              if (root !== null) sandbox.roots.delete(root)
              outer?.removeEventListener("abort", forward)
              sandbox.running.delete(entry)
              finished.resolve()
            }),
          ),
        )
        if (sandbox.stopped !== null)
          return yield* fail(operation, handle.id, `the sandbox was stopped: ${sandbox.stopped}`)
        return raw
      })

    /** Runs a helper command and fails unless it exits 0. */
    const runChecked = (
      sandbox: LocalSandbox,
      operation: ExecutionOperation,
      command: ReadonlyArray<string>,
      opts: InternalRun = {},
      secrets: ReadonlyArray<string> = [],
    ) =>
      Effect.flatMap(run(sandbox, command, { ...opts, operation }), (raw) =>
        raw.exitCode === 0
          ? Effect.succeed(raw)
          : Effect.fail(
              fail(
                operation,
                sandbox.handle.id,
                `${command[0]} ${raw.timedOut ? "timed out" : `exited with ${raw.exitCode}`}: ${scrub(decode(raw.stderr).trim(), secrets)}`,
              ),
            ),
      )

    const probe = (sandbox: LocalSandbox) =>
      Effect.gen(function* () {
        if (probed) return
        const raw = yield* run(sandbox, ["true"], { operation: "create", timeoutSeconds: 30 }).pipe(
          Effect.catch((error) =>
            Effect.fail(new SandboxUnavailableError({ backend: "local", message: error.message })),
          ),
        )
        if (raw.exitCode !== 0)
          return yield* new SandboxUnavailableError({
            backend: "local",
            message: `bubblewrap cannot create a sandbox on this host: ${decode(raw.stderr).trim()}`,
          })
        probed = true
      })

    const destroySandbox = (sandbox: LocalSandbox) =>
      Effect.promise(async () => {
        sandbox.destroyed = true
        if (sandbox.watcher !== null) clearInterval(sandbox.watcher)
        const running = [...sandbox.running]
        for (const command of running) command.abort.abort()
        await Promise.all(running.map((command) => command.done))
        await forceRemove(sandbox.hostDir)
        sandboxes.delete(sandbox.handle.id)
      })

    const create = (spec: SandboxSpec) =>
      Effect.gen(function* () {
        yield* ensureTools
        const id = `local-${randomUUID()}`
        const hostDir = yield* Effect.tryPromise({
          try: async () => {
            const dir = await mkdtemp(join(options.baseDir ?? tmpdir(), "pp-sandbox-"))
            await mkdir(join(dir, "workspace"))
            await mkdir(join(dir, "home"))
            await mkdir(join(dir, "etc"))
            await writeFile(
              join(dir, "etc", "passwd"),
              `sandbox:x:${user.uid}:${user.gid}:PatchPlane sandbox:${sandboxHome}:/bin/sh\n`,
            )
            await writeFile(join(dir, "etc", "group"), `sandbox:x:${user.gid}:\n`)
            if (isRoot) {
              // The sandbox uid may enter its directory, but owns only what it may write.
              await chmod(dir, 0o711)
              for (const path of [join(dir, "workspace"), join(dir, "home")])
                await chown(path, user.uid, user.gid)
            }
            return dir
          },
          catch: (error) =>
            fail("create", null, `cannot create the sandbox directory: ${errorText(error)}`),
        })
        const createdAt = new Date()
        const handle: SandboxHandle = {
          id,
          backend: "local",
          workspaceRoot: localWorkspaceRoot,
          runId: spec.runId,
          labels: { ...spec.labels, "patchplane-run": spec.runId },
          createdAt,
          deadline: new Date(createdAt.getTime() + spec.profile.timeoutSeconds * 1000),
        }
        const sandbox: LocalSandbox = {
          handle,
          spec,
          hostDir,
          workspaceDir: join(hostDir, "workspace"),
          homeDir: join(hostDir, "home"),
          running: new Set(),
          roots: new Set(),
          stopped: null,
          watcher: null,
          destroyed: false,
        }
        sandboxes.set(id, sandbox)
        yield* probe(sandbox).pipe(Effect.tapError(() => destroySandbox(sandbox)))
        watch(sandbox)
        return handle
      })

    /**
     * A long-running process in its own bwrap instance. It counts as one of
     * the sandbox's running commands, so destroying the sandbox kills it too.
     */
    const spawnIn = (sandbox: LocalSandbox, command: ReadonlyArray<string>, opts: SpawnOptions) =>
      Effect.gen(function* () {
        const { handle } = sandbox
        const prepared = yield* prepare(sandbox, command, { ...opts, operation: "spawn" })
        const proc = yield* Effect.acquireRelease(
          spawnProcess({
            file: prepared.file,
            args: prepared.args,
            fd3: prepared.fd3,
            env: prepared.env,
            ...(isRoot ? { uid: user.uid, gid: user.gid } : {}),
            timeoutMs: prepared.timeoutMs,
            maxLineBytes: opts.maxLineBytes ?? defaultLineCap,
            maxStderrBytes: opts.maxStderrBytes ?? defaultStderrTail,
          }).pipe(Effect.mapError((error) => fail("spawn", handle.id, error.message))),
          (spawned) => Effect.promise(() => spawned.kill()),
        )
        const abort = new AbortController()
        abort.signal.addEventListener("abort", () => void proc.kill(), { once: true })
        const entry: RunningCommand = { abort, done: proc.exited.then(() => {}) }
        sandbox.running.add(entry)
        sandbox.roots.add(proc.pid)
        void proc.exited.then(() => {
          sandbox.running.delete(entry)
          sandbox.roots.delete(proc.pid)
        })
        const withReason = (exit: ProcessExit): ProcessExit =>
          sandbox.stopped === null ? exit : { ...exit, reason: sandbox.stopped }
        const running: SandboxProcess = {
          write: (text) =>
            Effect.tryPromise({
              try: () => proc.write(text),
              catch: (error) =>
                fail("spawn", handle.id, `cannot write to the process: ${errorText(error)}`),
            }),
          closeStdin: Effect.sync(() => proc.closeStdin()),
          lines: proc.lines,
          stderrTail: proc.stderrTail,
          kill: Effect.promise(() => proc.kill()).pipe(Effect.asVoid),
          exit: Effect.promise(() => proc.exited.then(withReason)),
        }
        return running
      })

    const readOne = (sandbox: LocalSandbox, path: string) =>
      Effect.gen(function* () {
        const abs = yield* resolveInWorkspace(sandbox.handle.workspaceRoot, path)
        const raw = yield* runChecked(sandbox, "readFile", ["cat", "--", abs], {
          maxOutputBytes: fileCap,
        })
        if (raw.stdoutTruncated)
          return yield* fail(
            "readFile",
            sandbox.handle.id,
            `${abs} is larger than ${fileCap} bytes`,
          )
        return new Uint8Array(raw.stdout)
      })

    const writeOne = (
      sandbox: LocalSandbox,
      path: string,
      content: string | Uint8Array,
      operation: ExecutionOperation,
    ) =>
      Effect.gen(function* () {
        const abs = yield* resolveInWorkspace(sandbox.handle.workspaceRoot, path)
        yield* runChecked(
          sandbox,
          operation,
          ["sh", "-c", 'mkdir -p -- "$(dirname -- "$1")" && cat > "$1"', "sh", abs],
          { stdin: content },
        )
      })

    /**
     * A directory for one push, outside everything the agent could write (its
     * workspace and home): the sandbox uid may write it, the agent never saw it.
     */
    const makeStagingDir = (sandbox: LocalSandbox) =>
      Effect.tryPromise({
        try: async () => {
          const dir = await mkdtemp(join(sandbox.hostDir, "push-"))
          if (isRoot) await chown(dir, user.uid, user.gid)
          return dir
        },
        catch: (error) =>
          fail("push", sandbox.handle.id, `cannot create the push directory: ${errorText(error)}`),
      })

    /**
     * The push, in two processes. The agent owns its checkout's .git (config,
     * hooks) and its home (~/.gitconfig), so:
     * 1. without network or token, the one commit is fetched from the checkout
     *    (mounted read-only) into a fresh bare repository in the staging dir;
     * 2. with the token and network, a fresh repository in its own tmpfs
     *    borrows only the staged objects (read-only, as alternates) and pushes
     *    the commit by id. It mounts neither the workspace nor the home, reads
     *    no global, system or other repository's config, runs no hook and
     *    speaks only the URL's transport.
     * Whatever the agent planted can at most run in step 1, which holds
     * nothing worth stealing and can reach nothing.
     */
    const pushFromStaging = (
      sandbox: LocalSandbox,
      staging: string,
      checkout: string,
      request: PushRequest,
    ) =>
      Effect.gen(function* () {
        const { handle } = sandbox
        const secrets = secretForms(request.auth)
        yield* runChecked(
          sandbox,
          "push",
          [
            "sh",
            "-c",
            [
              "set -eu",
              'git init --quiet --bare --template= "$1"',
              'git -C "$1" $FLAGS fetch --quiet --no-tags --no-write-fetch-head -- "$2" "$3"',
              'git -C "$1" cat-file -e "$3^{commit}"',
            ].join("\n"),
            "stage",
            "/push/stage.git",
            checkout,
            request.commit,
          ],
          {
            network: false,
            env: { ...cleanGitEnv("/tmp"), FLAGS: cleanGitFlags("file").join(" ") },
            isolated: {
              binds: [
                { hostPath: sandbox.workspaceDir, sandboxPath: handle.workspaceRoot },
                { hostPath: staging, sandboxPath: "/push", readOnly: false },
              ],
            },
          },
        )
        const transport = transportOf(request.url)
        const script = [
          "set -eu",
          "repo=/tmp/push.git",
          'git init --quiet --bare --template= "$repo"',
          'mkdir -p "$repo/objects/info"',
          'echo /stage/objects > "$repo/objects/info/alternates"',
          'git -C "$repo" $FLAGS push --porcelain --no-verify "$4" -- "$1" "$2:refs/heads/$3"',
        ].join("\n")
        const raw = yield* run(
          sandbox,
          [
            "sh",
            "-c",
            script,
            "push",
            request.url,
            request.commit,
            request.branch,
            request.force ? "--force" : "--no-force",
          ],
          {
            operation: "push",
            network: transport !== "file",
            env: {
              ...cleanGitEnv("/tmp"),
              ...gitAuthEnv(request.url, request.auth),
              FLAGS: cleanGitFlags(transport).join(" "),
            },
            isolated: {
              binds: [
                { hostPath: join(staging, "stage.git", "objects"), sandboxPath: "/stage/objects" },
              ],
            },
          },
        )
        const output = scrub(`${decode(raw.stdout)}\n${decode(raw.stderr)}`.trim(), secrets)
        if (raw.exitCode === 0) return { kind: "pushed" as const, commit: request.commit }
        // A permission refusal is no moved branch (push-refusal.ts): it fails with git's words.
        const moved = branchMoved(output, request.branch)
        if (moved !== null) return moved
        return yield* fail(
          "push",
          handle.id,
          `git push ${raw.timedOut ? "timed out" : `exited with ${raw.exitCode}`}: ${output}`,
        )
      })

    const adapter: ExecutionAdapterShape = {
      backend: "local",
      create,
      exec: (handle, command, opts = {}) =>
        Effect.flatMap(lookup(handle, "exec"), (sandbox) =>
          Effect.map(run(sandbox, command, opts), toExecResult),
        ),
      readFile: (handle, path) =>
        Effect.flatMap(lookup(handle, "readFile"), (s) => readOne(s, path)),
      writeFile: (handle, path, content) =>
        Effect.flatMap(lookup(handle, "writeFile"), (s) => writeOne(s, path, content, "writeFile")),
      upload: (handle, files) =>
        Effect.flatMap(lookup(handle, "upload"), (sandbox) =>
          Effect.forEach(
            files,
            (file) =>
              Effect.gen(function* () {
                const source = file.content
                const content =
                  typeof source === "string" || source instanceof Uint8Array
                    ? source
                    : yield* Effect.tryPromise({
                        try: () => readFile(source.hostPath),
                        catch: (error) => fail("upload", handle.id, errorText(error)),
                      })
                yield* writeOne(sandbox, file.path, content, "upload")
              }),
            { discard: true },
          ),
        ),
      download: (handle, files) =>
        Effect.flatMap(lookup(handle, "download"), (sandbox) =>
          Effect.forEach(
            files,
            (file) =>
              Effect.flatMap(readOne(sandbox, file.path), (bytes) =>
                Effect.tryPromise({
                  try: async () => {
                    await mkdir(dirname(file.hostPath), { recursive: true })
                    await writeFile(file.hostPath, bytes)
                  },
                  catch: (error) => fail("download", handle.id, errorText(error)),
                }),
              ),
            { discard: true },
          ),
        ),
      checkout: (handle, request) =>
        Effect.gen(function* () {
          const sandbox = yield* lookup(handle, "checkout")
          const abs = yield* checkoutDestination(handle, request)
          const secrets = secretForms(request.auth)
          const clone = [
            "git",
            "clone",
            "--quiet",
            ...(request.branch === undefined ? [] : ["--branch", request.branch]),
            "--",
            request.url,
            abs,
          ]
          // The clone is ours, not the agent's: it may reach the git host even
          // when the profile gives the agent no network.
          yield* runChecked(
            sandbox,
            "checkout",
            clone,
            { network: isHttpUrl(request.url), env: gitAuthEnv(request.url, request.auth) },
            secrets,
          )
          if (request.commit !== undefined)
            yield* runChecked(sandbox, "checkout", [
              "git",
              "-C",
              abs,
              "checkout",
              "--quiet",
              "--detach",
              request.commit,
            ])
          const head = yield* runChecked(sandbox, "checkout", [
            "git",
            "-C",
            abs,
            "rev-parse",
            "HEAD",
          ])
          return { path: abs, headSha: decode(head.stdout).trim() }
        }),
      push: (handle, request) =>
        Effect.gen(function* () {
          const sandbox = yield* lookup(handle, "push")
          const abs = yield* pushSource(handle, request)
          return yield* Effect.acquireUseRelease(
            makeStagingDir(sandbox),
            (staging) => pushFromStaging(sandbox, staging, abs, request),
            (staging) => Effect.promise(() => forceRemove(staging)),
          )
        }),
      spawn: (handle, command, opts = {}) =>
        Effect.flatMap(lookup(handle, "spawn"), (sandbox) => spawnIn(sandbox, command, opts)),
      destroy: (handle) =>
        Effect.suspend(() => {
          const sandbox = sandboxes.get(handle.id)
          return sandbox === undefined ? Effect.void : destroySandbox(sandbox)
        }),
    }

    // Closing the layer (shutdown) destroys whatever is still alive.
    yield* Effect.addFinalizer(() =>
      Effect.forEach([...sandboxes.values()], destroySandbox, { discard: true }),
    )
    return adapter
  })
