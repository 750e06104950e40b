// Which refs a push may write, checked by every ExecutionAdapter before any
// credential is used: a branch under `patchplane/` only (a run's own branch,
// or a PatchPlane PR's branch a later run adds commits to), never `main` or a
// human's branch; a forced push only onto the run's own branch; and an exact
// commit id, never a ref name the agent's repository could resolve.
import { ExecutionError } from "./execution-errors.ts"

const branchPattern = /^patchplane\/[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*$/
const commitPattern = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/

export const checkPushTarget = (
  sandbox: { readonly id: string; readonly runId: string },
  request: { readonly branch: string; readonly commit: string; readonly force: boolean },
): ExecutionError | null => {
  const refuse = (message: string) =>
    new ExecutionError({ operation: "push", sandboxId: sandbox.id, message })
  if (!branchPattern.test(request.branch) || request.branch.endsWith(".lock"))
    return refuse(
      `refusing to push to ${JSON.stringify(request.branch)}: PatchPlane pushes only patchplane/<run> branches`,
    )
  if (request.force && request.branch !== `patchplane/${sandbox.runId}`)
    return refuse(
      `refusing a forced push to ${request.branch}: only the run's own branch patchplane/${sandbox.runId} may be replaced`,
    )
  if (!commitPattern.test(request.commit))
    return refuse(`refusing to push ${JSON.stringify(request.commit)}: not a full commit id`)
  return null
}
