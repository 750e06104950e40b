// The failing GitHub Actions jobs on a commit, with the tails of their logs:
// what the agent is shown to repair CI, and the signature that tells the
// same failure coming back from a new one. The review workflow's own result
// (the companion Action) is never a CI failure to repair.
import { Effect } from "effect"
import type { GitHubError, GitHubShape, RepoRef } from "../github/github-service.ts"

export interface FailingJob {
  readonly workflow: string
  readonly job: string
  readonly runId: number
  readonly attempt: number
  /** The log's last lines, timestamps removed. */
  readonly tail: string
}

const TAIL_LINES = 80

/** The companion Action's workflow (`.github/workflows/patchplane*.yml`, "PatchPlane review"). */
export const isReviewWorkflow = (run: { readonly name: string; readonly path: string }) =>
  /patchplane/i.test(run.name) || /(^|\/)patchplane[^/]*\.ya?ml$/i.test(run.path)

// Actions prefixes every log line with an ISO timestamp.
const untimed = (line: string) => line.replace(/^\d{4}-\d\d-\d\dT[\d:.]+Z ?/, "")

export const logTail = (log: string, lines = TAIL_LINES) =>
  log
    .split(/\r?\n/)
    .map(untimed)
    .filter((line, index, all) => line !== "" || index < all.length - 1)
    .slice(-lines)
    .join("\n")

/** Failing jobs and their last error lines: equal for the same failure, whatever the run. */
export const failureSignature = (jobs: ReadonlyArray<FailingJob>): string =>
  jobs
    .map((job) => {
      const errors = job.tail
        .split("\n")
        .filter((line) => /error|fail|assert|exception|expected/i.test(line))
        .slice(-3)
        .map((line) => line.trim())
      return `${job.workflow} / ${job.job}: ${errors.join(" | ")}`
    })
    .toSorted()
    .join("\n")

/** The failing jobs of the newest failed run of each workflow on `headSha`. */
export const failingJobs = (
  github: GitHubShape,
  ref: RepoRef,
  headSha: string,
): Effect.Effect<ReadonlyArray<FailingJob>, GitHubError> =>
  Effect.gen(function* () {
    const runs = yield* github.listWorkflowRuns(ref, headSha)
    const newest = new Map<string, (typeof runs)[number]>()
    for (const run of runs)
      if (run.status === "completed" && !isReviewWorkflow(run) && !newest.has(run.path))
        newest.set(run.path, run)
    const failed = [...newest.values()].filter((run) => run.conclusion === "failure")
    const found = yield* Effect.forEach(failed, (run) =>
      github.listJobs(ref, run.id).pipe(
        Effect.flatMap((jobs) =>
          Effect.forEach(
            jobs.filter((job) => job.conclusion === "failure"),
            (job) =>
              github.jobLog(ref, job.id).pipe(
                Effect.map((log): FailingJob => ({
                  workflow: run.name,
                  job: job.name,
                  runId: run.id,
                  attempt: job.attempt,
                  tail: logTail(log),
                })),
              ),
          ),
        ),
      ),
    )
    return found.flat()
  })
