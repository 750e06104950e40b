// CI triage's one GitHub write: re-run a failed workflow run's failed jobs
// once, on the same commit, before any tokens are spent on a repair.
import type { Effect } from "effect"
import type { GitHubError, GitHubShape, RepoRef } from "../github/github-service.ts"

export const rerunFailedJobs = (
  github: GitHubShape,
  ref: RepoRef,
  githubRunId: number,
): Effect.Effect<void, GitHubError> => github.rerunFailedJobs(ref, githubRunId)
