// Everything the stand-in reads from or writes to its bare repositories, with
// git plumbing only (no work trees), so REST answers always reflect what was
// pushed over HTTP.
import { spawn } from "node:child_process"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"

interface GitResult {
  readonly code: number
  readonly stdout: Buffer
  readonly stderr: string
}

export interface Identity {
  readonly name: string
  readonly email: string
}

const GITHUB_IDENTITY: Identity = { name: "GitHub", email: "noreply@github.com" }

const run = (
  dir: string,
  args: ReadonlyArray<string>,
  options: { input?: string | Buffer; env?: Record<string, string> } = {},
): Promise<GitResult> =>
  new Promise((resolve, reject) => {
    const child = spawn("git", args, {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: dir,
        GIT_CONFIG_NOSYSTEM: "1",
        GIT_CONFIG_GLOBAL: "/dev/null",
        GIT_AUTHOR_NAME: GITHUB_IDENTITY.name,
        GIT_AUTHOR_EMAIL: GITHUB_IDENTITY.email,
        GIT_COMMITTER_NAME: GITHUB_IDENTITY.name,
        GIT_COMMITTER_EMAIL: GITHUB_IDENTITY.email,
        ...options.env,
      },
    })
    const out: Array<Buffer> = []
    const err: Array<Buffer> = []
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk))
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk))
    child.on("error", reject)
    child.stdin.on("error", () => {})
    child.stdin.end(options.input ?? "")
    child.on("close", (code) =>
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err).toString(),
      }),
    )
  })

/** Runs git and returns trimmed stdout, throwing on a non-zero exit. */
const git = async (
  dir: string,
  args: ReadonlyArray<string>,
  options: { input?: string | Buffer; env?: Record<string, string> } = {},
): Promise<string> => {
  const result = await run(dir, args, options)
  if (result.code !== 0)
    throw new Error(`git ${args.join(" ")} exited with ${result.code}: ${result.stderr.trim()}`)
  return result.stdout.toString().trim()
}

// Refs come from URLs; one starting with "-" would be read as an option.
const safe = (ref: string): string | null => (ref === "" || ref.startsWith("-") ? null : ref)

export const initBare = async (dir: string, defaultBranch: string): Promise<void> => {
  await git(tmpdir(), ["init", "--quiet", "--bare", `--initial-branch=${defaultBranch}`, dir])
}

/** The commit a ref (branch, tag, sha) names, or null. */
export const resolveCommit = async (dir: string, ref: string): Promise<string | null> => {
  const name = safe(ref)
  if (name === null) return null
  const result = await run(dir, ["rev-parse", "--verify", "--quiet", `${name}^{commit}`])
  return result.code === 0 ? result.stdout.toString().trim() : null
}

export const branchSha = (dir: string, branch: string): Promise<string | null> =>
  resolveCommit(dir, `refs/heads/${branch}`)

export interface CommitFilesInput {
  readonly branch: string
  /** New content per path; null deletes the path. */
  readonly files: Readonly<Record<string, string | null>>
  readonly message: string
  /** Where a new branch starts (a sha or ref); ignored when the branch exists. */
  readonly from?: string
  readonly author?: Identity
}

/** Commits files onto a branch (creating it if needed); returns the new commit. */
export const commitFiles = async (dir: string, input: CommitFilesInput): Promise<string> => {
  const current = await branchSha(dir, input.branch)
  const parent = current ?? (input.from === undefined ? null : await resolveCommit(dir, input.from))
  if (current === null && input.from !== undefined && parent === null)
    throw new Error(`no commit ${input.from}`)
  const scratch = await mkdtemp(join(tmpdir(), "gh-stand-in-index-"))
  const env: Record<string, string> = { GIT_INDEX_FILE: join(scratch, "index") }
  if (input.author !== undefined) {
    env.GIT_AUTHOR_NAME = input.author.name
    env.GIT_AUTHOR_EMAIL = input.author.email
  }
  try {
    if (parent === null) await git(dir, ["read-tree", "--empty"], { env })
    else await git(dir, ["read-tree", parent], { env })
    for (const [path, content] of Object.entries(input.files)) {
      if (content === null) {
        await git(dir, ["update-index", "--force-remove", "--", path], { env })
        continue
      }
      const blob = await git(dir, ["hash-object", "-w", "--stdin"], { input: content })
      await git(dir, ["update-index", "--add", "--cacheinfo", `100644,${blob},${path}`], { env })
    }
    const tree = await git(dir, ["write-tree"], { env })
    const commit = await git(
      dir,
      ["commit-tree", tree, ...(parent === null ? [] : ["-p", parent]), "-F", "-"],
      { input: input.message, env },
    )
    await git(dir, ["update-ref", `refs/heads/${input.branch}`, commit, current ?? ""])
    return commit
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
}

/**
 * Whether head merges cleanly into base, by a real three-way merge
 * (`git merge-tree --write-tree`, git >= 2.38). The tree is null on conflicts.
 */
export const mergeTree = async (
  dir: string,
  base: string,
  head: string,
): Promise<{ readonly clean: boolean; readonly tree: string | null }> => {
  const result = await run(dir, ["merge-tree", "--write-tree", "--no-messages", base, head])
  const tree = result.stdout.toString().split("\n")[0]?.trim() ?? ""
  if (result.code === 0) return { clean: true, tree }
  if (result.code === 1) return { clean: false, tree: null }
  throw new Error(`git merge-tree failed: ${result.stderr.trim()}`)
}

/** Creates a two-parent merge commit of head onto the base branch and moves the branch. */
export const mergeIntoBranch = async (
  dir: string,
  input: {
    readonly baseBranch: string
    readonly headSha: string
    readonly message: string
    readonly author: Identity
  },
): Promise<string> => {
  const baseSha = await branchSha(dir, input.baseBranch)
  if (baseSha === null) throw new Error(`no branch ${input.baseBranch}`)
  const merged = await mergeTree(dir, baseSha, input.headSha)
  if (merged.tree === null) throw new Error(`merge conflict between ${input.baseBranch} and head`)
  const commit = await git(
    dir,
    ["commit-tree", merged.tree, "-p", baseSha, "-p", input.headSha, "-F", "-"],
    {
      input: input.message,
      env: { GIT_AUTHOR_NAME: input.author.name, GIT_AUTHOR_EMAIL: input.author.email },
    },
  )
  // Compare-and-swap: a push that landed meanwhile makes this fail instead of being lost.
  await git(dir, ["update-ref", `refs/heads/${input.baseBranch}`, commit, baseSha])
  return commit
}

/** Creates one single-parent commit with head's merged tree on the base branch (squash merge). */
export const squashIntoBranch = async (
  dir: string,
  input: {
    readonly baseBranch: string
    readonly headSha: string
    readonly message: string
    readonly author: Identity
  },
): Promise<string> => {
  const baseSha = await branchSha(dir, input.baseBranch)
  if (baseSha === null) throw new Error(`no branch ${input.baseBranch}`)
  const merged = await mergeTree(dir, baseSha, input.headSha)
  if (merged.tree === null) throw new Error(`merge conflict between ${input.baseBranch} and head`)
  const commit = await git(dir, ["commit-tree", merged.tree, "-p", baseSha, "-F", "-"], {
    input: input.message,
    env: { GIT_AUTHOR_NAME: input.author.name, GIT_AUTHOR_EMAIL: input.author.email },
  })
  await git(dir, ["update-ref", `refs/heads/${input.baseBranch}`, commit, baseSha])
  return commit
}

/**
 * Replays each of head's commits onto the base branch, keeping their messages
 * and authors (rebase merge); returns the last replayed commit, which is what
 * GitHub reports as `merge_commit_sha` for a rebase merge.
 */
export const rebaseIntoBranch = async (
  dir: string,
  input: { readonly baseBranch: string; readonly headSha: string },
): Promise<string> => {
  const baseSha = await branchSha(dir, input.baseBranch)
  if (baseSha === null) throw new Error(`no branch ${input.baseBranch}`)
  const from = await mergeBase(dir, baseSha, input.headSha)
  if (from === null) throw new Error(`no common history between ${input.baseBranch} and head`)
  const scratch = await mkdtemp(join(tmpdir(), "gh-stand-in-rebase-"))
  const env = { GIT_INDEX_FILE: join(scratch, "index") }
  try {
    let tip = baseSha
    for (const sha of await commitsBetween(dir, from, input.headSha)) {
      const info = await commitInfo(dir, sha)
      if (info === null) throw new Error(`no commit ${sha}`)
      // Merge commits inside the PR are flattened the way a rebase does: their own
      // change is their diff against the first parent.
      const parent = info.parents[0] ?? null
      if (parent === null) throw new Error(`cannot rebase a root commit`)
      await git(dir, ["read-tree", tip], { env })
      const patch = (await run(dir, ["diff-tree", "-p", "--binary", parent, sha])).stdout
      if (patch.length > 0) {
        const applied = await run(dir, ["apply", "--cached"], { input: patch, env })
        if (applied.code !== 0) throw new Error(`merge conflict rebasing ${sha.slice(0, 12)}`)
      }
      const tree = await git(dir, ["write-tree"], { env })
      tip = await git(dir, ["commit-tree", tree, "-p", tip, "-F", "-"], {
        input: info.message,
        env: {
          GIT_AUTHOR_NAME: info.author.name,
          GIT_AUTHOR_EMAIL: info.author.email,
          GIT_AUTHOR_DATE: info.author.date,
          // GitHub commits each replayed commit anew, so it is never the PR's own
          // commit even when the branch was already on top of the base.
          GIT_COMMITTER_DATE: `${Math.max(
            Math.floor(Date.now() / 1000),
            Math.floor(Date.parse(info.committer.date) / 1000) + 1,
          )} +0000`,
        },
      })
    }
    await git(dir, ["update-ref", `refs/heads/${input.baseBranch}`, tip, baseSha])
    return tip
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
}

/** The repository's branch names. */
export const listBranches = async (dir: string): Promise<ReadonlyArray<string>> => {
  const out = await git(dir, ["for-each-ref", "--format=%(refname:lstrip=2)", "refs/heads"])
  return out === "" ? [] : out.split("\n")
}

export const setDefaultBranch = (dir: string, branch: string) =>
  git(dir, ["symbolic-ref", "HEAD", `refs/heads/${branch}`])

export interface CommitInfo {
  readonly sha: string
  readonly tree: string
  readonly parents: ReadonlyArray<string>
  readonly author: { readonly name: string; readonly email: string; readonly date: string }
  readonly committer: { readonly name: string; readonly email: string; readonly date: string }
  readonly message: string
}

const iso = (date: string) => new Date(date).toISOString().replace(/\.\d{3}Z$/, "Z")

export const commitInfo = async (dir: string, ref: string): Promise<CommitInfo | null> => {
  const sha = await resolveCommit(dir, ref)
  if (sha === null) return null
  const raw = await git(dir, [
    "show",
    "-s",
    "--format=%H%x00%T%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B",
    sha,
  ])
  const [
    hash = "",
    tree = "",
    parents = "",
    an = "",
    ae = "",
    ad = "",
    cn = "",
    ce = "",
    cd = "",
    message = "",
  ] = raw.split("\0")
  return {
    sha: hash,
    tree,
    parents: parents === "" ? [] : parents.split(" "),
    author: { name: an, email: ae, date: iso(ad) },
    committer: { name: cn, email: ce, date: iso(cd) },
    message: message.trim(),
  }
}

export const mergeBase = async (dir: string, a: string, b: string): Promise<string | null> => {
  const result = await run(dir, ["merge-base", a, b])
  return result.code === 0 ? result.stdout.toString().trim() : null
}

/** Commits reachable from head but not from base, oldest first. */
export const commitsBetween = async (
  dir: string,
  base: string,
  head: string,
): Promise<ReadonlyArray<string>> => {
  const out = await git(dir, ["rev-list", "--reverse", `${base}..${head}`])
  return out === "" ? [] : out.split("\n")
}

export interface ChangedFile {
  readonly filename: string
  readonly previousFilename: string | null
  readonly status: "added" | "removed" | "modified" | "renamed"
  readonly additions: number
  readonly deletions: number
  /** Blob of the file after the change (before it, for a removal). */
  readonly sha: string
  /** The hunks (from the first `@@`); null for binary files. */
  readonly patch: string | null
}

const statusOf = (letter: string): ChangedFile["status"] =>
  letter === "A" ? "added" : letter === "D" ? "removed" : letter === "R" ? "renamed" : "modified"

/** The files changed between two commits, as GitHub lists them for a PR or a compare. */
export const changedFiles = async (
  dir: string,
  base: string,
  head: string,
): Promise<ReadonlyArray<ChangedFile>> => {
  const nameStatus = (await run(dir, ["diff", "--name-status", "-z", "-M", base, head])).stdout
    .toString()
    .split("\0")
  const numstat = (await run(dir, ["diff", "--numstat", "-z", "-M", base, head])).stdout
    .toString()
    .split("\0")
  // numstat -z: "add\tdel\tpath" or, for a rename, "add\tdel\t" then old and new paths.
  const counts = new Map<string, { additions: number; deletions: number }>()
  for (let i = 0; i < numstat.length; i++) {
    const entry = numstat[i] ?? ""
    if (entry === "") continue
    const [add = "0", del = "0", path = ""] = entry.split("\t")
    const target = path === "" ? (numstat[(i += 2)] ?? "") : path
    counts.set(target, {
      additions: add === "-" ? 0 : Number(add),
      deletions: del === "-" ? 0 : Number(del),
    })
  }
  const files: Array<ChangedFile> = []
  for (let i = 0; i < nameStatus.length; i++) {
    const code = nameStatus[i] ?? ""
    if (code === "") continue
    const letter = code.charAt(0)
    const previous = letter === "R" ? (nameStatus[++i] ?? "") : null
    const filename = nameStatus[++i] ?? ""
    const status = statusOf(letter)
    const paths = previous === null ? [filename] : [previous, filename]
    const diff = (await run(dir, ["diff", "-M", base, head, "--", ...paths])).stdout.toString()
    const hunk = diff.indexOf("\n@@")
    const blob = await run(dir, [
      "rev-parse",
      "--verify",
      "--quiet",
      `${status === "removed" ? base : head}:${filename}`,
    ])
    files.push({
      filename,
      previousFilename: previous,
      status,
      additions: counts.get(filename)?.additions ?? 0,
      deletions: counts.get(filename)?.deletions ?? 0,
      sha: blob.stdout.toString().trim(),
      patch: hunk === -1 ? null : diff.slice(hunk + 1).replace(/\n$/, ""),
    })
  }
  return files
}

/** The unified diff between two commits (what `Accept: application/vnd.github.diff` returns). */
export const diffText = async (dir: string, base: string, head: string): Promise<string> =>
  (await run(dir, ["diff", "-M", base, head])).stdout.toString()

export type TreeEntry = {
  readonly type: "file" | "dir" | "submodule" | "symlink"
  readonly path: string
  readonly name: string
  readonly sha: string
  readonly size: number
}

const entryType = (mode: string, type: string): TreeEntry["type"] =>
  type === "tree" ? "dir" : type === "commit" ? "submodule" : mode === "120000" ? "symlink" : "file"

const parseLsTree = (out: string): Array<TreeEntry> =>
  out
    .split("\0")
    .filter((line) => line !== "")
    .map((line) => {
      const tab = line.indexOf("\t")
      const [mode = "", type = "", sha = "", size = "-"] = line.slice(0, tab).split(/\s+/)
      const path = line.slice(tab + 1)
      return {
        type: entryType(mode, type),
        path,
        name: path.split("/").pop() ?? path,
        sha,
        size: size === "-" ? 0 : Number(size),
      }
    })

export type PathContent =
  | { readonly kind: "file"; readonly entry: TreeEntry; readonly content: Buffer }
  | { readonly kind: "dir"; readonly entries: ReadonlyArray<TreeEntry> }

/** A file's bytes or a directory's entries at a commit; null when the path does not exist. */
export const readPath = async (
  dir: string,
  commit: string,
  path: string,
): Promise<PathContent | null> => {
  const clean = path.replace(/^\/+|\/+$/g, "")
  if (clean !== "") {
    const self = parseLsTree(
      (await run(dir, ["ls-tree", "-l", "-z", commit, "--", clean])).stdout.toString(),
    ).find((entry) => entry.path === clean)
    if (self === undefined) return null
    if (self.type !== "dir") {
      const blob = await run(dir, ["cat-file", "blob", self.sha])
      return { kind: "file", entry: self, content: blob.stdout }
    }
  }
  const listed = await run(dir, [
    "ls-tree",
    "-l",
    "-z",
    commit,
    ...(clean === "" ? [] : ["--", `${clean}/`]),
  ])
  return { kind: "dir", entries: parseLsTree(listed.stdout.toString()) }
}
