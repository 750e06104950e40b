// One Daytona sandbox of the stand-in: a host directory run as a real
// bubblewrap container (the same isolation the local sandbox uses, through
// `bwrapArgs`). Its "image" is the host's /usr, Node.js and — for snapshots
// that carry them — the Pi coding agent and Claude Code's native binary
// installed with this app, on PATH as `pi` and `claude`, as the Dockerfile
// under src/execution puts them in a real image. Every
// process of the sandbox (toolbox executes, git, session commands) runs in
// it, as Daytona's daemon runs them inside the sandbox.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process"
import { chmod, lstat, mkdir, mkdtemp, readlink, rm, symlink, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { bwrapArgs, type HostLayout } from "../../src/execution/bwrap-args.ts"

export const daytonaHome = "/home/daytona"
const imageDir = "/opt/daytona-image"
const piModules = "/opt/daytona-image/pi/node_modules"
const claudeDir = "/opt/daytona-image/claude-code"

export interface ImageSpec {
  /** Host node_modules holding Pi, and cli.js relative to it; null: no Pi in this image. */
  readonly pi: { readonly hostNodeModules: string; readonly cliRelative: string } | null
  /** Host directory holding Claude Code's native binary, and its name; absent: no Claude Code. */
  readonly claudeCode?: { readonly hostDir: string; readonly binaryName: string } | null
}

export interface ContainerSpec {
  readonly image: ImageSpec
  readonly env: Readonly<Record<string, string>>
  /** Network shared with the host (loopback included) unless Daytona blocks it all. */
  readonly network: boolean
  readonly memoryGb: number
  readonly baseDir?: string
}

export interface RunOutput {
  readonly exitCode: number | null
  readonly stdout: Buffer
  readonly stderr: Buffer
  readonly timedOut: boolean
}

const nodePrefix = dirname(dirname(process.execPath))

const hostLayout = async (): Promise<HostLayout> => {
  const symlinks: Array<{ path: string; target: string }> = []
  const readOnlyDirs = ["/usr"]
  for (const path of ["/bin", "/sbin", "/lib", "/lib32", "/lib64"]) {
    const stat = await lstat(path).catch(() => null)
    if (stat?.isSymbolicLink()) symlinks.push({ path, target: await readlink(path) })
    else if (stat?.isDirectory()) readOnlyDirs.push(path)
  }
  if (!nodePrefix.startsWith("/usr")) readOnlyDirs.push(nodePrefix)
  return {
    symlinks,
    readOnlyDirs,
    etcEntries: ["/etc/alternatives", "/etc/ssl", "/etc/ca-certificates", "/etc/hosts"]
      .concat(["/etc/resolv.conf", "/etc/nsswitch.conf", "/etc/ld.so.cache", "/etc/localtime"])
      .concat(["/etc/gitconfig"]),
  }
}

export class Container {
  private readonly running = new Set<ChildProcessWithoutNullStreams>()
  private removed = false

  readonly hostDir: string
  private readonly layout: HostLayout
  private readonly spec: ContainerSpec

  private constructor(hostDir: string, layout: HostLayout, spec: ContainerSpec) {
    this.hostDir = hostDir
    this.layout = layout
    this.spec = spec
  }

  static async create(spec: ContainerSpec): Promise<Container> {
    const hostDir = await mkdtemp(join(spec.baseDir ?? tmpdir(), "pp-daytona-"))
    await mkdir(join(hostDir, "home"))
    await mkdir(join(hostDir, "etc"))
    await mkdir(join(hostDir, "image", "bin"), { recursive: true })
    const uid = process.getuid?.() ?? 1000
    const gid = process.getgid?.() ?? 1000
    await writeFile(
      join(hostDir, "etc", "passwd"),
      `daytona:x:${uid}:${gid}:Daytona:${daytonaHome}:/bin/sh\n`,
    )
    await writeFile(join(hostDir, "etc", "group"), `daytona:x:${gid}:\n`)
    if (spec.image.pi !== null) {
      const pi = join(hostDir, "image", "bin", "pi")
      await writeFile(pi, `#!/bin/sh\nexec node ${piModules}/${spec.image.pi.cliRelative} "$@"\n`)
      await chmod(pi, 0o755)
    }
    // npm's global bin links `claude` to the native binary; a link resolved inside the sandbox.
    if (spec.image.claudeCode != null)
      await symlink(
        `${claudeDir}/${spec.image.claudeCode.binaryName}`,
        join(hostDir, "image", "bin", "claude"),
      )
    return new Container(hostDir, await hostLayout(), spec)
  }

  /** The host directory behind /home/daytona (for tests that look at what a sandbox holds). */
  get homeDir(): string {
    return join(this.hostDir, "home")
  }

  /** The sandbox's view of a host path under its home, or null outside it. */
  hostPath(sandboxPath: string): string | null {
    if (sandboxPath !== daytonaHome && !sandboxPath.startsWith(`${daytonaHome}/`)) return null
    return join(this.homeDir, sandboxPath.slice(daytonaHome.length))
  }

  /** Starts `argv` inside the container; the caller reads its pipes. */
  start(
    argv: ReadonlyArray<string>,
    options: { readonly cwd?: string; readonly env?: Readonly<Record<string, string>> } = {},
  ): ChildProcessWithoutNullStreams {
    if (this.removed) throw new Error("the sandbox is gone")
    const env = {
      PATH: `${nodePrefix}/bin:${imageDir}/bin:/usr/local/bin:/usr/bin:/bin`,
      HOME: daytonaHome,
      LANG: "C.UTF-8",
      TMPDIR: "/tmp",
      ...this.spec.env,
      ...options.env,
    }
    const args = bwrapArgs({
      layout: this.layout,
      writableBinds: [{ hostPath: this.homeDir, sandboxPath: daytonaHome }],
      passwdFile: join(this.hostDir, "etc", "passwd"),
      groupFile: join(this.hostDir, "etc", "group"),
      readOnlyBinds: [
        { hostPath: join(this.hostDir, "image", "bin"), sandboxPath: `${imageDir}/bin` },
        ...(this.spec.image.pi === null
          ? []
          : [{ hostPath: this.spec.image.pi.hostNodeModules, sandboxPath: piModules }]),
        ...(this.spec.image.claudeCode == null
          ? []
          : [{ hostPath: this.spec.image.claudeCode.hostDir, sandboxPath: claudeDir }]),
      ],
      network: this.spec.network,
      env,
      cwd: options.cwd ?? daytonaHome,
      limits: {
        maxProcesses: 4096,
        memoryBytes: this.spec.memoryGb * 4 * 1024 ** 3,
        cpuSeconds: 24 * 3600,
        fileSizeBytes: 8 * 1024 ** 3,
        openFiles: 4096,
      },
      prlimitPath: "/usr/bin/prlimit",
      command: argv,
    })
    const child = spawn("bwrap", args, {
      env,
      detached: true,
      stdio: ["pipe", "pipe", "pipe"],
    })
    this.running.add(child)
    child.on("close", () => this.running.delete(child))
    child.on("error", () => this.running.delete(child))
    return child
  }

  /** Runs `argv` to the end (or until `timeoutMs`), collecting its output. */
  run(
    argv: ReadonlyArray<string>,
    options: {
      readonly cwd?: string
      readonly env?: Readonly<Record<string, string>>
      readonly timeoutMs?: number
    } = {},
  ): Promise<RunOutput> {
    return new Promise((resolve, reject) => {
      const child = this.start(argv, options)
      child.stdin.end()
      const out: Array<Buffer> = []
      const err: Array<Buffer> = []
      let timedOut = false
      child.stdout.on("data", (chunk: Buffer) => out.push(chunk))
      child.stderr.on("data", (chunk: Buffer) => err.push(chunk))
      const timer =
        options.timeoutMs === undefined || options.timeoutMs <= 0
          ? undefined
          : setTimeout(() => {
              timedOut = true
              killGroup(child)
            }, options.timeoutMs)
      child.on("error", (error) => {
        clearTimeout(timer)
        reject(error)
      })
      child.on("close", (code) => {
        clearTimeout(timer)
        resolve({
          exitCode: code,
          stdout: Buffer.concat(out),
          stderr: Buffer.concat(err),
          timedOut,
        })
      })
    })
  }

  /** Host pids of the bwrap instances running in the sandbox now. */
  pids(): Array<number> {
    return [...this.running].flatMap((child) => (child.pid === undefined ? [] : [child.pid]))
  }

  /** Kills every process of the sandbox: what a dying or deleted sandbox does. */
  killAll(): void {
    for (const child of this.running) killGroup(child)
  }

  async remove(): Promise<void> {
    this.removed = true
    const running = [...this.running]
    this.killAll()
    await Promise.all(
      running.map(
        (child) =>
          new Promise<void>((resolve) =>
            child.exitCode !== null || child.signalCode !== null
              ? resolve()
              : child.once("close", () => resolve()),
          ),
      ),
    )
    await rm(this.hostDir, { recursive: true, force: true })
  }
}

export const killGroup = (child: ChildProcessWithoutNullStreams) => {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
  try {
    process.kill(-child.pid, "SIGKILL")
  } catch {
    // Already gone.
  }
}
