// Every path handed to a sandbox is checked lexically before use: it must
// resolve inside the workspace root. Symlinks inside the workspace are only
// ever followed by processes inside the sandbox, never by the control plane.
import { posix } from "node:path"
import { Effect } from "effect"
import { WorkspacePathError } from "./execution-errors.ts"

const fail = (path: string, message: string) =>
  Effect.fail(new WorkspacePathError({ path, message }))

/** An absolute, normalized workspace root such as `/workspace`. */
export const validateWorkspaceRoot = (root: string): Effect.Effect<string, WorkspacePathError> => {
  if (root.includes("\0")) return fail(root, "workspace root contains a NUL byte")
  if (!posix.isAbsolute(root)) return fail(root, "workspace root must be an absolute path")
  const normalized = posix.normalize(root).replace(/\/+$/, "")
  if (normalized === "") return fail(root, "the file system root cannot be a workspace")
  return Effect.succeed(normalized)
}

/**
 * Resolves `path` (relative to the root, or absolute) to an absolute path
 * inside `root`. `..` segments that climb out, NUL bytes and empty paths fail.
 */
export const resolveInWorkspace = (
  root: string,
  path: string,
): Effect.Effect<string, WorkspacePathError> =>
  Effect.flatMap(validateWorkspaceRoot(root), (base) => {
    if (path === "") return fail(path, "empty path")
    if (path.includes("\0")) return fail(path, "path contains a NUL byte")
    const resolved = posix.resolve(base, path)
    if (resolved !== base && !resolved.startsWith(`${base}/`))
      return fail(path, `path escapes the workspace root ${base}`)
    return Effect.succeed(resolved)
  })
