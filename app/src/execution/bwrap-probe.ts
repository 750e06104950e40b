// Finds bubblewrap (and prlimit, which applies the process limits) before the
// first run. Without them the local sandbox refuses to start: PatchPlane never
// falls back to running generated code unsandboxed.
import { constants } from "node:fs"
import { access } from "node:fs/promises"
import { delimiter, join } from "node:path"
import { Effect } from "effect"
import { SandboxUnavailableError } from "./execution-errors.ts"

export const bwrapMissingMessage = (searched: string): string =>
  `the local sandbox needs bubblewrap (bwrap), which was not found (${searched}). ` +
  "Install the Debian/Ubuntu package `bubblewrap` (apt-get install bubblewrap; Fedora: dnf install bubblewrap), " +
  "then start PatchPlane again. PatchPlane does not run agent code outside a sandbox (or use Daytona, see docs/daytona.md)."

const executable = (path: string) =>
  access(path, constants.X_OK).then(
    () => true,
    () => false,
  )

/** The first executable `name` in `searchPath` (a PATH-style list), if any. */
export const findExecutable = async (name: string, searchPath: string): Promise<string | null> => {
  for (const dir of searchPath.split(delimiter)) {
    if (dir === "") continue
    const candidate = join(dir, name)
    if (await executable(candidate)) return candidate
  }
  return null
}

export interface HostTools {
  readonly bwrap: string
  readonly prlimit: string
}

/**
 * Resolves bwrap and prlimit: explicit paths win, otherwise they are looked
 * up in `searchPath`. Fails with a message naming the package to install.
 */
const unavailable = (message: string) =>
  Effect.fail(new SandboxUnavailableError({ backend: "local", message }))

const resolveTool = (explicit: string | undefined, name: string, searchPath: string) =>
  explicit === undefined
    ? findExecutable(name, searchPath)
    : executable(explicit).then((ok) => (ok ? explicit : null))

export const locateHostTools = (options: {
  readonly bwrapPath?: string
  readonly prlimitPath?: string
  readonly searchPath: string
}): Effect.Effect<HostTools, SandboxUnavailableError> =>
  Effect.gen(function* () {
    const bwrap = yield* Effect.promise(() =>
      resolveTool(options.bwrapPath, "bwrap", options.searchPath),
    )
    if (bwrap === null)
      return yield* unavailable(
        bwrapMissingMessage(options.bwrapPath ?? `searched PATH ${options.searchPath}`),
      )
    const prlimit = yield* Effect.promise(() =>
      resolveTool(options.prlimitPath, "prlimit", options.searchPath),
    )
    if (prlimit === null)
      return yield* unavailable(
        "the local sandbox needs prlimit (Debian package `util-linux`) to apply process limits; it was not found",
      )
    return { bwrap, prlimit }
  })
