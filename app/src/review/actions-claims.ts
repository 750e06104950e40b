// The claims of a GitHub Actions OIDC token that PatchPlane reads, and the
// check that a verified token may report for a given run: same repository
// (by id when present, so a renamed or recreated repo does not pass), same
// installation owner, still connected, from the run's own branch, and from
// the reusable review workflow — the job that holds the token runs none of
// the code under review. GitHub sets `job_workflow_ref` to the called
// reusable workflow (`owner/repo/.github/workflows/file.yml@ref`) and
// `workflow_ref` to the caller's; a workflow the agent wrote on its branch
// can call the reusable one, but then the reusable one's own jobs post.
import { Schema } from "effect"
import { RepoFullName } from "@patchplane/domain"
import { ClaimsRejected } from "./review-errors.ts"

export const ActionsClaims = Schema.Struct({
  sub: Schema.String,
  repository: RepoFullName,
  repository_id: Schema.optionalKey(Schema.String),
  repository_owner_id: Schema.optionalKey(Schema.String),
  ref: Schema.optionalKey(Schema.String),
  /** Set for pull_request events: the PR's head branch. */
  head_ref: Schema.optionalKey(Schema.String),
  event_name: Schema.optionalKey(Schema.String),
  workflow_ref: Schema.optionalKey(Schema.String),
  job_workflow_ref: Schema.optionalKey(Schema.String),
  run_id: Schema.optionalKey(Schema.String),
  /** The commit the workflow ran for (for pull_request events, the merge commit). */
  sha: Schema.optionalKey(Schema.String),
})
export type ActionsClaims = typeof ActionsClaims.Type

export interface ClaimsTarget {
  readonly runId: string
  readonly repository: {
    readonly fullName: string
    readonly githubRepoId: number
    readonly active: boolean
  }
  readonly installation: {
    readonly accountId: number
    readonly suspendedAt: Date | null
    readonly deletedAt: Date | null
  }
}

export const runBranch = (runId: string) => `patchplane/${runId}`

/** review.workflowRefs by default: PatchPlane's own reusable review workflow, at any ref. */
export const DEFAULT_REVIEW_WORKFLOWS = [
  "patchplane/patchplane/.github/workflows/patchplane-review.yml@*",
] as const

/**
 * Whether `ref` (a job_workflow_ref) is one of `allowed`: `owner/repo/path@ref`,
 * where a trailing `@*` allows any ref. Owner and repository compare
 * case-insensitively, as GitHub's names do; the path and ref exactly.
 */
const normalPath = (path: string) => {
  const parts = path.split("/")
  return `${parts.slice(0, 2).join("/").toLowerCase()}/${parts.slice(2).join("/")}`
}

export const workflowAllowed = (ref: string, allowed: ReadonlyArray<string>): boolean => {
  const at = ref.lastIndexOf("@")
  if (at <= 0) return false
  const [path, version] = [ref.slice(0, at), ref.slice(at + 1)]
  const normal = normalPath
  return allowed.some((pattern) => {
    const split = pattern.lastIndexOf("@")
    if (split <= 0) return false
    const want = pattern.slice(split + 1)
    return normal(pattern.slice(0, split)) === normal(path) && (want === "*" || want === version)
  })
}

/** Null when the claims may report for the run; otherwise why not. */
export const rejectClaims = (
  claims: ActionsClaims,
  target: ClaimsTarget,
  allowedWorkflows: ReadonlyArray<string>,
): ClaimsRejected | null => {
  const { repository, installation } = target
  if (
    claims.repository.toLowerCase() !== repository.fullName.toLowerCase() ||
    (claims.repository_id !== undefined && claims.repository_id !== String(repository.githubRepoId))
  )
    return new ClaimsRejected({
      code: "repository_mismatch",
      message: `the token is for ${claims.repository}, not this run's repository`,
    })
  if (
    claims.repository_owner_id !== undefined &&
    claims.repository_owner_id !== String(installation.accountId)
  )
    return new ClaimsRejected({
      code: "installation_mismatch",
      message: "the token's repository owner is not the account PatchPlane is installed on",
    })
  if (!repository.active || installation.suspendedAt !== null || installation.deletedAt !== null)
    return new ClaimsRejected({
      code: "repository_not_connected",
      message: `${repository.fullName} is not connected to PatchPlane (App removed or suspended)`,
    })
  const workflow = claims.job_workflow_ref
  if (workflow === undefined || !workflowAllowed(workflow, allowedWorkflows))
    return new ClaimsRejected({
      code: "workflow_not_allowed",
      message:
        `the token was issued to ${workflow ?? "a job with no job_workflow_ref"}, not to an ` +
        `allowed review workflow (review.workflowRefs: ${allowedWorkflows.join(", ")}); ` +
        "call PatchPlane's reusable review workflow instead of posting from your own",
    })
  const branch = runBranch(target.runId)
  if (claims.head_ref !== branch && claims.ref !== `refs/heads/${branch}`)
    return new ClaimsRejected({
      code: "ref_mismatch",
      message: `the token was issued for ${claims.head_ref || claims.ref || "an unknown ref"}, not the run's branch ${branch}`,
    })
  return null
}
