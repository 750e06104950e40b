// What a review or a CI result on a pull request must be for a round to
// follow: on a connected repository, on a PR PatchPlane opened. Both the
// review handler and the CI handler ask this, then find the chain's newest
// run (the round a follow-up iterates on) and whether an operator stopped it.
import {
  findPatchPlanePullRequest,
  getRepositoryByFullName,
  getWorkflowRun,
  latestRunForIssue,
  roundsStop,
} from "@patchplane/db"
import { Effect } from "effect"
import type { RepoRef } from "../github/github-service.ts"
import type { IntakeDeps } from "./command-handler.ts"

interface PullRequestEvent {
  readonly repository: {
    readonly full_name: string
    readonly name: string
    readonly owner: { readonly login: string }
  }
  readonly installation?: { readonly id: number } | undefined
}

/** The PatchPlane PR `number` names in this event's repository, or why there is none. */
export const patchPlanePullRequest = (deps: IntakeDeps, p: PullRequestEvent, number: number) =>
  Effect.gen(function* () {
    const repository = yield* Effect.promise(() =>
      getRepositoryByFullName(deps.db, p.repository.full_name),
    )
    if (repository === undefined || !repository.active || p.installation === undefined)
      return { ignored: `repository ${p.repository.full_name} is not connected to PatchPlane` }
    const binding = yield* Effect.promise(() =>
      findPatchPlanePullRequest(deps.db, repository.id, number),
    )
    if (binding === undefined) return { ignored: `#${number} is not a PatchPlane pull request` }
    const ref: RepoRef = {
      installationId: p.installation.id,
      owner: p.repository.owner.login,
      repo: p.repository.name,
    }
    return { repository, binding, ref }
  })

/** The chain's newest run on the PR (the round to iterate on), unless an operator stopped it. */
export const latestRound = (
  deps: IntakeDeps,
  repositoryId: string,
  number: number,
  openingRunId: string,
) =>
  Effect.gen(function* () {
    const previous = yield* Effect.promise(async () => {
      const latest = (await latestRunForIssue(deps.db, repositoryId, number))?.run
      return latest ?? (await getWorkflowRun(deps.db, openingRunId))
    })
    if (previous === undefined) return { ignored: `no run on #${number}` }
    const stop = yield* Effect.promise(() => roundsStop(deps.db, previous.id))
    if (stop !== undefined) return { ignored: `@${stop.actor} stopped the rounds on #${number}` }
    return { previous }
  })
