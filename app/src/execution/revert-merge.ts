// What a revert run does in place of the agent: `git revert` of a merged PR's
// merge commit in the sandbox's checkout, left staged for the PatchSet
// collector to commit like any other change. A merge commit is reverted
// against its first parent (the branch it was merged into); a squash or
// rebase merge is a single commit and reverts as it is.
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
    const reverted = yield* git([
      "revert",
      "--no-commit",
      ...(isMerge ? ["-m", "1"] : []),
      mergeCommitSha,
    ])
    if (reverted.exitCode !== 0)
      return yield* failed(
        sandbox,
        `the revert of ${mergeCommitSha.slice(0, 12)} conflicts with later changes; revert it by hand: ${(reverted.stderr || reverted.stdout).trim()}`,
      )
  })
