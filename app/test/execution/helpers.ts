// Shared by the execution tests: profiles, running effects against a layer,
// real git repositories on disk, and a look at the host's process table.
import { execFileSync } from "node:child_process"
import { chmod, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Cause, Effect, Exit, type Layer, type Scope } from "effect"
import { decodeSyncWith, SandboxProfile } from "@patchplane/domain"

const decodeProfile = decodeSyncWith(SandboxProfile, "sandbox profile")

export const profile = (overrides: Record<string, unknown> = {}): SandboxProfile =>
  decodeProfile({ timeoutSeconds: 120, ...overrides })

export const runIn =
  <R>(layer: Layer.Layer<R, unknown>) =>
  <A, E>(effect: Effect.Effect<A, E, R | Scope.Scope>): Promise<A> =>
    Effect.runPromise(
      Effect.scoped(effect).pipe(Effect.provide(layer)) as Effect.Effect<A, unknown>,
    )

/** The typed failure of an effect that must fail (throws if it succeeds). */
export const failureOf =
  <R>(layer: Layer.Layer<R, unknown>) =>
  async <A, E>(effect: Effect.Effect<A, E, R | Scope.Scope>): Promise<E> => {
    const exit = await Effect.runPromiseExit(
      Effect.scoped(effect).pipe(Effect.provide(layer)) as Effect.Effect<A, E>,
    )
    if (Exit.isSuccess(exit)) throw new Error("expected a failure, got success")
    return Cause.squash(exit.cause) as E
  }

export const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes)

/** A directory every sandbox uid can read (sandboxes run unprivileged when we are root). */
export const openTempDir = async (prefix: string): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  await chmod(dir, 0o755)
  return dir
}

export const git = (cwd: string, ...args: Array<string>): string =>
  execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: cwd,
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_AUTHOR_NAME: "Test",
      GIT_AUTHOR_EMAIL: "test@example.com",
      GIT_COMMITTER_NAME: "Test",
      GIT_COMMITTER_EMAIL: "test@example.com",
    },
  }).trim()

export interface SeededRemote {
  /** Host path of the bare repository. */
  readonly bareDir: string
  readonly headSha: string
}

/** A real repository with a few files, pushed to a bare remote readable by the sandbox. */
export const seedRemote = async (
  root: string,
  files: Record<string, string>,
): Promise<SeededRemote> => {
  const work = join(root, "work")
  const bareDir = join(root, "remote.git")
  execFileSync("mkdir", ["-p", work])
  git(work, "init", "--quiet", "--initial-branch=main")
  for (const [path, content] of Object.entries(files)) {
    execFileSync("mkdir", ["-p", join(work, path, "..")])
    await writeFile(join(work, path), content)
  }
  git(work, "add", "--all")
  git(work, "commit", "--quiet", "-m", "initial")
  git(root, "clone", "--quiet", "--bare", work, bareDir)
  execFileSync("chmod", ["-R", "a+rX", root])
  return { bareDir, headSha: git(work, "rev-parse", "HEAD") }
}

/** Host processes whose command line contains `marker` (none may survive a sandbox). */
export const hostProcessesWith = async (marker: string): Promise<Array<number>> => {
  const found: Array<number> = []
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
    const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "")
    if (cmdline.includes(marker)) found.push(Number(entry))
  }
  return found
}
