// Turns the agent's work into a PatchSet after its turn: commit everything on
// `patchplane/<run-id>` with PatchPlane trailers, then describe the change
// (files, line counts, the unified diff, dependency changes, tests run).
// Every git command runs inside the sandbox: the working tree (hooks, config,
// attributes) belongs to the agent and is never touched by the control plane.
import { Effect } from "effect"
import {
  type DependencyChange,
  dependencyChanges,
  dependencyFileKind,
  type FileChange,
  fileChanges,
  isWorkflowPath,
  parseRawNewBlobs,
  type PatchSet,
} from "@patchplane/domain"
import { runBranch } from "./checkout.ts"
import { workflowRisk } from "./workflow-files.ts"
import { ExecutionAdapter } from "./execution-adapter.ts"
import { ExecutionError } from "./execution-errors.ts"
import type { ExecFailure, ExecResult, SandboxHandle } from "./sandbox-types.ts"
import { testsRun } from "./test-commands.ts"

export interface CollectRequest {
  readonly sandbox: SandboxHandle
  /** The checkout's path inside the sandbox. */
  readonly repoPath: string
  readonly runId: string
  readonly runtimeSessionId?: string | null
  /** The commit the run started from. */
  readonly baseSha: string
  /** GitHub login (or dashboard user) who asked: the `Requested-by:` trailer. */
  readonly requestedBy: string
  /** Commit subject (default "PatchPlane run <run-id>"). */
  readonly subject?: string
  readonly author?: { readonly name: string; readonly email: string }
  /** Shell commands the agent ran (from its tool calls): test runs are picked out. */
  readonly commands?: ReadonlyArray<string>
  readonly toolsUsed?: ReadonlyArray<string>
  /** Cap of the stored unified diff (default 1 MiB). */
  readonly maxDiffBytes?: number
}

/** The unified diff, stored with the PatchSet (patch_set_diffs). */
export interface DiffArtifact {
  readonly name: string
  readonly mediaType: "text/x-diff"
  readonly content: string
  /** Size of the whole diff; `content` holds at most the cap. */
  readonly bytes: number
  readonly truncated: boolean
  /** Why the content is shorter than the diff, for whoever opens it. */
  readonly note: string | null
}

export type PatchSetDraft = Omit<PatchSet, "id" | "createdAt">

export type CollectOutcome =
  | { readonly kind: "no-changes"; readonly branch: string; readonly baseSha: string }
  | {
      readonly kind: "changes"
      readonly patchSet: PatchSetDraft
      readonly diff: DiffArtifact
      /** Dependency manifests or lock files changed: needs separate review. */
      readonly highRisk: boolean
    }

const defaultAuthor = { name: "PatchPlane", email: "patchplane@users.noreply.github.com" }
const defaultDiffCap = 1024 * 1024
const manifestCap = 4 * 1024 * 1024

/** Trailer values are single lines: a newline would forge another trailer. */
const oneLine = (value: string) => value.replace(/[\r\n]+/g, " ").trim()

export const commitMessage = (subject: string, runId: string, requestedBy: string): string =>
  `${oneLine(subject)}\n\nPatchPlane-Run: ${oneLine(runId)}\nRequested-by: ${oneLine(requestedBy)}\n`

export const collectPatchSet = (
  request: CollectRequest,
): Effect.Effect<CollectOutcome, ExecFailure, ExecutionAdapter> =>
  Effect.gen(function* () {
    const adapter = yield* ExecutionAdapter
    const { sandbox, repoPath, baseSha } = request
    const author = request.author ?? defaultAuthor
    const branch = runBranch(request.runId)
    const fail = (message: string) =>
      new ExecutionError({ operation: "collect", sandboxId: sandbox.id, message })

    // Repository config is the agent's: hooks, pagers, external diff drivers,
    // textconv and signing are switched off for our commands.
    const git = (
      args: ReadonlyArray<string>,
      options: { stdin?: string; maxOutputBytes?: number } = {},
    ) =>
      adapter.exec(
        sandbox,
        [
          "git",
          "-c",
          "core.hooksPath=/dev/null",
          "-c",
          "core.fsmonitor=false",
          "-c",
          "core.pager=cat",
          "-c",
          "commit.gpgsign=false",
          "-c",
          `user.name=${author.name}`,
          "-c",
          `user.email=${author.email}`,
          ...args,
        ],
        { cwd: repoPath, timeoutSeconds: 300, ...options },
      )
    const ok = (what: string, result: ExecResult) =>
      result.exitCode === 0
        ? Effect.succeed(result)
        : Effect.fail(
            fail(
              `git ${what} failed (exit ${result.exitCode}): ${(result.stderr || result.stdout).trim()}`,
            ),
          )
    const gitOk = (
      what: string,
      args: ReadonlyArray<string>,
      options: { stdin?: string; maxOutputBytes?: number } = {},
    ) => Effect.flatMap(git(args, options), (result) => ok(what, result))

    yield* gitOk("checkout", ["checkout", "--quiet", "-B", branch])
    yield* gitOk("add", ["add", "--all"])
    const staged = yield* git(["diff", "--cached", "--quiet", "--no-ext-diff"])
    if (staged.exitCode === 1)
      yield* gitOk("commit", ["commit", "--quiet", "--no-verify", "--file", "-"], {
        stdin: commitMessage(
          request.subject ?? `PatchPlane run ${request.runId}`,
          request.runId,
          request.requestedBy,
        ),
      })
    else yield* ok("diff --cached", staged)

    const head = (yield* gitOk("rev-parse", ["rev-parse", "HEAD"])).stdout.trim()
    const trees = yield* gitOk("rev-parse", ["rev-parse", `${baseSha}^{tree}`, "HEAD^{tree}"])
    const [baseTree, headTree] = trees.stdout.trim().split("\n")
    if (baseTree === headTree) return { kind: "no-changes", branch, baseSha }

    const range = [baseSha, head]
    const diffFlags = ["--no-ext-diff", "--no-textconv", "--find-renames", "-z"]
    const nameStatus = yield* gitOk("diff", ["diff", "--name-status", ...diffFlags, ...range], {
      maxOutputBytes: 16 * 1024 * 1024,
    })
    const numstat = yield* gitOk("diff", ["diff", "--numstat", ...diffFlags, ...range], {
      maxOutputBytes: 16 * 1024 * 1024,
    })
    const changed: Array<FileChange> = fileChanges(nameStatus.stdout, numstat.stdout)
    // Sizes of the files as committed, for the policy's limits (checked before any push).
    const raw = yield* gitOk("diff", ["diff", "--raw", "--no-abbrev", ...diffFlags, ...range], {
      maxOutputBytes: 16 * 1024 * 1024,
    })
    const blobs = parseRawNewBlobs(raw.stdout)
    const sizes = new Map<string, number>()
    if (blobs.size > 0) {
      const ids = [...new Set(blobs.values())]
      const checked = yield* gitOk(
        "cat-file",
        ["cat-file", "--batch-check=%(objectname) %(objectsize)"],
        { stdin: `${ids.join("\n")}\n`, maxOutputBytes: 16 * 1024 * 1024 },
      )
      for (const line of checked.stdout.split("\n")) {
        const [id, size] = line.split(" ")
        if (id !== undefined && size !== undefined && /^\d+$/.test(size))
          sizes.set(id, Number(size))
      }
    }
    const sized: Array<FileChange> = changed.map((file) => {
      const bytes = sizes.get(blobs.get(file.path) ?? "")
      return bytes === undefined ? file : { ...file, bytes }
    })

    const cap = request.maxDiffBytes ?? defaultDiffCap
    const unified = yield* gitOk(
      "diff",
      ["diff", "--no-color", "--no-ext-diff", "--no-textconv", "--find-renames", ...range],
      { maxOutputBytes: cap },
    )
    const diff: DiffArtifact = {
      name: `patchplane-${request.runId}.diff`,
      mediaType: "text/x-diff",
      content: unified.stdout,
      bytes: unified.stdoutBytes,
      truncated: unified.stdoutTruncated,
      note: unified.stdoutTruncated
        ? `Diff truncated to the first ${cap} of ${unified.stdoutBytes} bytes; the full change is commit ${head} on branch ${branch}.`
        : null,
    }

    const show = (rev: string, path: string) =>
      Effect.map(git(["show", `${rev}:${path}`], { maxOutputBytes: manifestCap }), (result) =>
        result.exitCode === 0 && !result.stdoutTruncated ? result.stdout : null,
      )
    const dependencies: Array<DependencyChange> = []
    const files: Array<FileChange> = []
    for (const file of sized) {
      const risk =
        file.status === "deleted"
          ? null
          : workflowRisk(
              file.path,
              file.bytes !== undefined && file.bytes <= manifestCap
                ? yield* show(head, file.path)
                : null,
            )
      files.push(risk === null ? file : { ...file, risk })
    }
    for (const file of files) {
      if (dependencyFileKind(file.path) === null) continue
      const before =
        file.status === "added" ? null : yield* show(baseSha, file.previousPath ?? file.path)
      const after = file.status === "deleted" ? null : yield* show(head, file.path)
      dependencies.push(...dependencyChanges(file.path, before, after))
    }

    return {
      kind: "changes",
      highRisk:
        dependencies.length > 0 ||
        files.some((file) => file.risk !== undefined || isWorkflowPath(file.path)),
      diff,
      patchSet: {
        workflowRunId: request.runId,
        runtimeSessionId: request.runtimeSessionId ?? null,
        branch,
        baseSha,
        headSha: head,
        files,
        diffSummary: {
          filesChanged: files.length,
          additions: files.reduce((sum, file) => sum + file.additions, 0),
          deletions: files.reduce((sum, file) => sum + file.deletions, 0),
        },
        toolsUsed: [...new Set(request.toolsUsed ?? [])],
        testsRun: testsRun(request.commands ?? []),
        dependencyChanges: dependencies,
      },
    }
  })
