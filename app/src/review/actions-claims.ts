// The claims of a GitHub Actions OIDC token that PatchPlane reads, and the
// check that a verified token may report for a given run: same repository
// (by id when present, so a renamed or recreated repo does not pass), same
// installation owner, still connected, and from the run's own branch.
import { Schema } from "effect"
import { RepoFullName } from "../domain/index.ts"
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

/** Null when the claims may report for the run; otherwise why not. */
export const rejectClaims = (
  claims: ActionsClaims,
  target: ClaimsTarget,
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
  const branch = runBranch(target.runId)
  if (claims.head_ref !== branch && claims.ref !== `refs/heads/${branch}`)
    return new ClaimsRejected({
      code: "ref_mismatch",
      message: `the token was issued for ${claims.head_ref || claims.ref || "an unknown ref"}, not the run's branch ${branch}`,
    })
  return null
}
