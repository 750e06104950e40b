// What a revert run does in place of the agent: `git revert` of what a merged
// PR put on the branch it was merged into, left staged for the PatchSet
// collector to commit like any other change. A merge commit is reverted
// against its first parent; a squash merge is one commit and reverts as it is;
// a rebase merge replayed every PR commit and GitHub names only the last
// (`merge_commit_sha`), so the run of first-parent commits ending there whose
// subjects are the PR's commits, in order, is reverted as a range.
import { Effect } from "effect"
import { ExecutionAdapter } from "./execution-adapter.ts"
import { ExecutionError } from "./execution-errors.ts"
import type { ExecFailure, SandboxHandle } from "./sandbox-types.ts"

const failed = (sandbox: SandboxHandle, message: string) =>
  new ExecutionError({ operation: "exec", sandboxId: sandbox.id, message })

export const revertMerge = (
  sandbox: SandboxHandle,
  repoPath: string,
  mergeCommitSha: string,
  /** The first line of each of the PR's commits, oldest first (none: treat as one commit). */
  commitSubjects: ReadonlyArray<string> = [],
): Effect.Effect<void, ExecFailure, ExecutionAdapter> =>
  Effect.gen(function* () {
    const adapter = yield* ExecutionAdapter
    const git = (args: ReadonlyArray<string>) =>
      adapter.exec(sandbox, ["git", ...args], { cwd: repoPath, timeoutSeconds: 120 })
    const parents = yield* git(["rev-list", "--parents", "-n", "1", mergeCommitSha])
    if (parents.exitCode !== 0)
      return yield* failed(
        sandbox,
        `the merge commit ${mergeCommitSha.slice(0, 12)} is not on this branch: ${parents.stderr.trim()}`,
      )
    const isMerge = parents.stdout.trim().split(/\s+/).length > 2
    const count = commitSubjects.length
    let rebased = false
    if (!isMerge && count > 1) {
      const log = yield* git([
        "log",
        "--first-parent",
        "--format=%s",
        "-n",
        String(count),
        mergeCommitSha,
      ])
      const subjects = log.stdout
        .split("\n")
        .filter((line) => line !== "")
        .toReversed()
      rebased = log.exitCode === 0 && subjects.join("\n") === commitSubjects.join("\n")
    }
    const target = isMerge
      ? ["-m", "1", mergeCommitSha]
      : rebased
        ? [`${mergeCommitSha}~${count}..${mergeCommitSha}`]
        : [mergeCommitSha]
    const reverted = yield* git(["revert", "--no-commit", ...target])
    if (reverted.exitCode !== 0)
      return yield* failed(
        sandbox,
        `the revert of ${mergeCommitSha.slice(0, 12)} conflicts with later changes; revert it by hand: ${(reverted.stderr || reverted.stdout).trim()}`,
      )
  })
