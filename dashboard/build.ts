// Build on demand: `npm start` serves the production build of the dashboard
// and builds it first when it is missing or older than its sources, so a
// fresh clone needs no separate build step. The build runs in its own
// detached process (this file, run as a script) holding a lock directory:
// concurrent starts wait for one build instead of racing, and a start that
// stops early does not leave a half-written build behind.
//
//   node dashboard/build.ts          build now if stale, printing progress
//   node dashboard/build.ts --force  build now regardless
import { spawn } from "node:child_process"
import { closeSync, existsSync, openSync, readdirSync, readFileSync, statSync } from "node:fs"
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

export const DASHBOARD_DIR = dirname(fileURLToPath(import.meta.url))

/** What the build is made from; anything newer than the build triggers a rebuild. */
const SOURCES = ["app", "components", "lib", "next.config.ts", "tsconfig.json", "package.json"]
const MARKER = join(".next", "patchplane-build.json")
const LOCK = ".next-build.lock"
const LOG = ".next-build.log"

const nextVersion = (): string => {
  const require = createRequire(import.meta.url)
  return (require("next/package.json") as { version: string }).version
}

const newestMtime = (path: string): number => {
  if (!existsSync(path)) return 0
  const info = statSync(path)
  if (!info.isDirectory()) return info.mtimeMs
  let newest = info.mtimeMs
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)))
  return newest
}

export type BuildState =
  | { readonly kind: "fresh" }
  | { readonly kind: "missing" }
  | { readonly kind: "stale"; readonly reason: string }

export const buildState = (dir = DASHBOARD_DIR): BuildState => {
  const marker = join(dir, MARKER)
  if (!existsSync(marker)) return { kind: "missing" }
  let built: { startedAt?: number; next?: string }
  try {
    built = JSON.parse(readFileSync(marker, "utf8")) as typeof built
  } catch {
    return { kind: "missing" }
  }
  if (built.next !== nextVersion()) return { kind: "stale", reason: "Next.js was upgraded" }
  const sources = Math.max(...SOURCES.map((source) => newestMtime(join(dir, source))))
  if (sources > (built.startedAt ?? 0)) return { kind: "stale", reason: "sources changed" }
  return { kind: "fresh" }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/** The pid holding the build lock, or null (a lock left by a dead process is removed). */
const lockHolder = async (dir: string): Promise<number | null> => {
  const lock = join(dir, LOCK)
  const pid = Number(await readFile(join(lock, "pid"), "utf8").catch(() => "NaN"))
  if (Number.isInteger(pid) && alive(pid)) return pid
  if (!existsSync(lock)) return null
  // Created but no pid yet: give its owner a moment before calling it dead.
  const age = Date.now() - (await stat(lock).catch(() => ({ mtimeMs: 0 }))).mtimeMs
  if (!Number.isInteger(pid) && age < 5_000) return -1
  await rm(lock, { recursive: true, force: true })
  return null
}

export interface EnsureBuiltOptions {
  readonly dir?: string
  /** Called with each new line of build output. */
  readonly onProgress?: (line: string) => void
  readonly signal?: AbortSignal
  readonly pollMs?: number
}

/**
 * Resolves once the production build is fresh, starting a build process when
 * it is missing or stale and none is running; rejects with the build's last
 * output when it fails.
 */
export const ensureBuilt = async (options: EnsureBuiltOptions = {}): Promise<void> => {
  const dir = options.dir ?? DASHBOARD_DIR
  if (buildState(dir).kind === "fresh") return
  let exited = (await lockHolder(dir)) !== null
  if (!exited) {
    const log = openSync(join(dir, LOG), "w")
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), "--child"], {
      cwd: dir,
      detached: true,
      stdio: ["ignore", log, log],
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
    })
    closeSync(log)
    child.once("exit", () => (exited = true))
    child.once("error", () => (exited = true))
    child.unref()
  }
  let shown = 0
  const showProgress = () => {
    if (options.onProgress === undefined) return
    const lines = readFileSyncSafe(join(dir, LOG)).split("\n")
    for (const line of lines.slice(shown, -1)) if (line.trim() !== "") options.onProgress(line)
    shown = Math.max(shown, lines.length - 1)
  }
  for (;;) {
    if (options.signal?.aborted) throw new Error("stopped while the dashboard was building")
    await new Promise((r) => setTimeout(r, options.pollMs ?? 300))
    showProgress()
    if ((await lockHolder(dir)) !== null || !exited) continue
    if (buildState(dir).kind === "fresh") return
    throw new Error(`the dashboard build failed:\n${lastLines(dir)}`)
  }
}

const readFileSyncSafe = (path: string) => {
  try {
    return readFileSync(path, "utf8")
  } catch {
    return ""
  }
}

export const lastLines = (dir = DASHBOARD_DIR, count = 20): string =>
  readFileSyncSafe(join(dir, LOG)).trimEnd().split("\n").slice(-count).join("\n")

/** The build process: take the lock, build with Next, record what was built, release. */
const runBuild = async (dir: string, force: boolean): Promise<number> => {
  const lock = join(dir, LOCK)
  try {
    await mkdir(lock)
  } catch {
    if ((await lockHolder(dir)) !== null) return 0 // someone else is building it
    await mkdir(lock)
  }
  try {
    await writeFile(join(lock, "pid"), String(process.pid))
    if (!force && buildState(dir).kind === "fresh") return 0
    const startedAt = Date.now()
    const require = createRequire(import.meta.url)
    const bin = join(dirname(require.resolve("next/package.json")), "dist", "bin", "next")
    console.log(`Building the dashboard (${buildState(dir).kind}) …`)
    const code = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, [bin, "build"], {
        cwd: dir,
        stdio: "inherit",
        env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
      })
      child.once("exit", (status) => resolve(status ?? 1))
      child.once("error", () => resolve(1))
    })
    if (code !== 0) return code
    await writeFile(
      join(dir, MARKER),
      JSON.stringify({ startedAt, next: nextVersion(), seconds: (Date.now() - startedAt) / 1000 }),
    )
    console.log(`Dashboard built in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`)
    return 0
  } finally {
    await rm(lock, { recursive: true, force: true })
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2)
  process.env.NEXT_TELEMETRY_DISABLED = "1"
  if (args.includes("--child")) process.exitCode = await runBuild(DASHBOARD_DIR, false)
  else {
    const force = args.includes("--force")
    if (!force && buildState().kind === "fresh") console.log("The dashboard build is up to date.")
    else process.exitCode = await runBuild(DASHBOARD_DIR, force)
  }
}
