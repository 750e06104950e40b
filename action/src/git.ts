// What the pull request changes: the merge base with the base branch, the
// head commit, changed files with line counts, and the added lines.
import { type FileChange, parseNameStatus, parseNumstat } from "@patchplane/domain"
import { runCommand } from "./process.ts"
import type { Env } from "./toolkit.ts"
import { type AddedLine, parseAddedLines } from "./unified-diff.ts"

export interface DiffInfo {
  readonly baseRef: string
  /** The merge base of base and head: what the change is measured against. */
  readonly baseSha: string
  readonly headSha: string
  readonly files: ReadonlyArray<FileChange>
  readonly addedLines: ReadonlyMap<string, ReadonlyArray<AddedLine>>
  /** A file's text at the merge base or the head; null when it does not exist there. */
  readonly readAt: (side: "base" | "head", path: string) => Promise<string | null>
}

export class GitError extends Error {}

const git = async (cwd: string, env: Env, args: ReadonlyArray<string>) => {
  const result = await runCommand(["git", "-c", "core.quotePath=false", ...args], {
    cwd,
    env,
    maxOutputBytes: 256 * 1024 * 1024,
  })
  return { ok: result.exitCode === 0, out: result.stdout, err: result.stderr.trim() }
}

const revParse = async (cwd: string, env: Env, rev: string): Promise<string | null> => {
  const r = await git(cwd, env, ["rev-parse", "--verify", "--quiet", `${rev}^{commit}`])
  return r.ok ? r.out.trim() : null
}

const resolveBase = async (cwd: string, env: Env, baseRef: string): Promise<string> => {
  for (const candidate of [`origin/${baseRef}`, baseRef]) {
    const sha = await revParse(cwd, env, candidate)
    if (sha !== null) return sha
  }
  // A shallow checkout: fetch the base branch once.
  const fetched = await git(cwd, env, ["fetch", "--no-tags", "--quiet", "origin", baseRef])
  const sha = fetched.ok ? await revParse(cwd, env, "FETCH_HEAD") : null
  if (sha === null)
    throw new GitError(
      `cannot find the base branch ${baseRef} (check out with fetch-depth: 0 or set base-ref)`,
    )
  return sha
}

export const collectDiff = async (
  cwd: string,
  env: Env,
  options: { readonly baseRef: string; readonly headSha?: string },
): Promise<DiffInfo> => {
  const base = await resolveBase(cwd, env, options.baseRef)
  // The PR head from the event when we have it (the checkout may be the merge commit).
  const head =
    (options.headSha === undefined ? null : await revParse(cwd, env, options.headSha)) ??
    (await revParse(cwd, env, "HEAD"))
  if (head === null) throw new GitError("HEAD is not a commit: check the repository out first")
  const mergeBase = await git(cwd, env, ["merge-base", base, head])
  const baseSha = mergeBase.ok ? mergeBase.out.trim() : base
  const range = [baseSha, head]
  const [nameStatus, numstat, patch] = await Promise.all([
    git(cwd, env, ["diff", "--no-ext-diff", "-z", "-M", "--name-status", ...range]),
    git(cwd, env, ["diff", "--no-ext-diff", "-z", "-M", "--numstat", ...range]),
    git(cwd, env, ["diff", "--no-ext-diff", "--no-color", "-M", "-U0", ...range]),
  ])
  for (const r of [nameStatus, numstat, patch]) if (!r.ok) throw new GitError(`git diff: ${r.err}`)
  const counts = parseNumstat(numstat.out)
  const files: FileChange[] = parseNameStatus(nameStatus.out).map((entry) => ({
    ...entry,
    additions: counts.get(entry.path)?.additions ?? 0,
    deletions: counts.get(entry.path)?.deletions ?? 0,
  }))
  return {
    baseRef: options.baseRef,
    baseSha,
    headSha: head,
    files,
    addedLines: parseAddedLines(patch.out),
    readAt: async (side, path) => {
      const r = await git(cwd, env, ["show", `${side === "base" ? baseSha : head}:${path}`])
      return r.ok ? r.out : null
    },
  }
}
