// What publication needs to know about a run that stays the same while it
// runs: where it works and who asked. The workflow resolves it once (its
// RunPlan has these fields) and hands it over, so a publish reads only what
// moves (the run's row); callers that hold just a run id load it here.
import { type Database, getWorkflowRun, loadRunContext, type WorkflowRunRow } from "@patchplane/db"
import { isPullRequestChannel } from "@patchplane/domain"
import type { RepoRef } from "../github/github-service.ts"

export interface PlannedRun {
  readonly runId: string
  readonly promptRequestId: string
  readonly repositoryId: string
  /** owner/name */
  readonly repository: string
  readonly installationId: number
  /** The initiator's instruction, as they wrote it (sanitised). */
  readonly prompt: string
  readonly initiator: string
  readonly issueNumber: number | null
  /** Set when the request came from a pull request's conversation. */
  readonly sourcePullRequest: number | null
}

type LoadedRun = NonNullable<Awaited<ReturnType<typeof loadRunContext>>>

/** The fields of a run that stay the same while it runs, from its loaded records. */
export const plannedRunOf = ({
  run,
  request,
  repository,
  installation,
}: LoadedRun): PlannedRun => ({
  runId: run.id,
  promptRequestId: request.id,
  repositoryId: repository.id,
  repository: repository.fullName,
  installationId: installation.installationId,
  prompt: request.prompt,
  initiator: request.initiatorLogin ?? "unknown",
  issueNumber: request.issueNumber,
  sourcePullRequest: isPullRequestChannel(request.sourceChannel) ? request.issueNumber : null,
})

/**
 * A run and its plan, read together (one query), for callers that hold only
 * the run's id; undefined when the run does not exist.
 */
export const loadPlannedRun = async (
  db: Database,
  runId: string,
): Promise<{ readonly run: WorkflowRunRow; readonly plan: PlannedRun } | undefined> => {
  const context = await loadRunContext(db, runId)
  return context === undefined ? undefined : { run: context.run, plan: plannedRunOf(context) }
}

/** The run as given (its plan), with its row read again: state and links move, the plan does not. */
export const readPlannedRun = async (
  db: Database,
  plan: PlannedRun,
): Promise<{ readonly run: WorkflowRunRow; readonly plan: PlannedRun } | undefined> => {
  const run = await getWorkflowRun(db, plan.runId)
  return run === undefined ? undefined : { run, plan }
}

export const repoRefOf = (plan: Pick<PlannedRun, "repository" | "installationId">): RepoRef => {
  const [owner = "", repo = ""] = plan.repository.split("/")
  return { installationId: plan.installationId, owner, repo }
}
