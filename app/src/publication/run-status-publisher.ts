// Mirrors a run's state to GitHub: the one status comment (edited in place)
// and the `PatchPlane` check run on the PR head. Best effort and idempotent:
// it always writes the current state, so a retry or a replay converges.
import type { Logger } from "../platform/logger.ts"
import { guardPublicationPromise } from "./publication-guard.ts"
import {
  type Database,
  listMergeDecisions,
  type MergeDecisionRow,
  type CiTriageRow,
  ciTriageOf,
  getPullRequestBinding,
  listPatchSets,
  listReviewRuns,
  listTransitions,
  setCheckRun,
} from "@patchplane/db"
import { Effect } from "effect"
import { CHECK_RUN_NAME, type MergeDecisionState, type WorkflowRunState } from "@patchplane/domain"
import type {
  CheckRunConclusion,
  CheckRunInput,
  GitHubShape,
  RepoRef,
} from "../github/github-service.ts"
import { checkRunTitle, renderCheckRunSummary } from "./check-run-summary.ts"
import { fitBody, fitCheckOutput } from "./github-limits.ts"
import { loadPlannedRun, type PlannedRun, readPlannedRun, repoRefOf } from "./planned-run.ts"
import { DRAFTS_UNAVAILABLE_NOTE } from "./pull-request-publisher.ts"
import { renderStatusComment } from "./status-comment.ts"

const completed = (conclusion: CheckRunConclusion) => ({
  status: "completed" as const,
  conclusion,
})

/** How a run reads as a required status check. */
export const checkRunStatus = (
  state: WorkflowRunState,
  decision: MergeDecisionState | undefined,
): Pick<CheckRunInput, "status" | "conclusion"> => {
  switch (state) {
    case "queued":
      return { status: "queued" }
    case "decided":
      if (decision === undefined) return completed("neutral") // nothing to merge
      if (decision === "rejected") return completed("failure")
      if (decision === "manual-review" || decision === "conflict")
        return completed("action_required")
      return completed("success")
    case "cancelled":
      return completed("neutral")
    case "failed":
      return completed("failure")
    case "timed_out":
      return completed("timed_out")
    case "awaiting_approval":
      return completed("action_required")
    default:
      return { status: "in_progress" }
  }
}

/**
 * The decision the run record stands on. Once the run has left `reviewing`,
 * a policy decision recorded later is not its decision (the endpoint now
 * refuses those; rows from before that may exist), so the check and the
 * comment never show a state the run does not have. Human decisions, which
 * follow the transition they settle, count.
 */
const decisionOfRecord = async (db: Database, runId: string) => {
  const decisions = await listMergeDecisions(db, runId)
  const left = (await listTransitions(db, runId)).findLast((t) => t.fromState === "reviewing")
  if (left === undefined) return decisions.at(-1)
  return decisions.filter((d) => d.decidedBy !== "policy" || d.createdAt <= left.createdAt).at(-1)
}

/** What the checklist does not show: a chain of rounds stopped by its bounds. */
const statusNotes = (decision: MergeDecisionRow | undefined): ReadonlyArray<string> => {
  if (decision?.decidedBy !== "iteration") return []
  const detail = decision.criteria.at(-1)?.detail
  return [`🔁 ${typeof detail === "string" ? detail : "stopped iterating"}; a human decides now.`]
}

/** CI failures that passed on their one re-run: recorded, not repaired. */
const flakyNotes = (triage: ReadonlyArray<CiTriageRow>): ReadonlyArray<string> =>
  triage
    .filter((t) => t.outcome === "flaky")
    .map(
      (t) =>
        `⚠️ CI "${t.workflowName}" failed on \`${t.headSha.slice(0, 7)}\` and passed on re-run: recorded as flaky, no tokens spent.`,
    )

/**
 * A completed check run's status and conclusion are final on GitHub
 * (Mergifyio/mergify#1989): when the run's state moves on after the check
 * completed (an approval after action_required), a new `PatchPlane` check run
 * on the same head carries it — GitHub shows the newest run of a name — and
 * the run points at the new one from then on.
 */
const writeCheckRun = (
  db: Database,
  github: GitHubShape,
  ref: RepoRef,
  runId: string,
  checkRunId: number,
  wanted: Omit<CheckRunInput, "name" | "headSha">,
): Effect.Effect<void, unknown> =>
  Effect.gen(function* () {
    const current = yield* github.getCheckRun(ref, checkRunId)
    const reopens =
      current.status === "completed" &&
      (wanted.status !== "completed" || wanted.conclusion !== current.conclusion)
    if (!reopens) return yield* github.updateCheckRun(ref, checkRunId, wanted)
    const created = yield* github.createCheckRun(ref, {
      ...wanted,
      name: CHECK_RUN_NAME,
      headSha: current.headSha,
      externalId: runId,
    })
    yield* Effect.promise(() => setCheckRun(db, runId, created.id))
  })

export interface StatusPublisherOptions {
  readonly dashboardUrl: (runId: string) => string
  /** https://github.com/<owner>/<repo>/pull/<n> (or the GHES host). */
  readonly pullRequestUrl: (fullName: string, pullNumber: number) => string
  readonly log: Logger
}

/**
 * Mirrors a run to its status comment and check run: given by id (its plan is
 * read with it) or by its plan (the workflow's; only the run's row is read).
 * It never throws: a write GitHub still refuses after the retries is recorded
 * for the run page (publication-guard.ts), so callers need no catch of their own.
 */
export const makeRunStatusPublisher =
  (db: Database, github: GitHubShape, options: StatusPublisherOptions) =>
  (target: string | PlannedRun): Promise<void> => {
    const runId = typeof target === "string" ? target : target.runId
    return guardPublicationPromise({ db, log: options.log }, { step: "status", runId }, () =>
      publishRunStatus(db, github, options, target),
    )
  }

const publishRunStatus = async (
  db: Database,
  github: GitHubShape,
  options: StatusPublisherOptions,
  target: string | PlannedRun,
): Promise<void> => {
  const loaded =
    typeof target === "string" ? await loadPlannedRun(db, target) : await readPlannedRun(db, target)
  if (loaded === undefined) return
  const { run, plan } = loaded
  const ref = repoRefOf(plan)
  const dashboardUrl = options.dashboardUrl(run.id)
  const [decision, binding, triage] = await Promise.all([
    decisionOfRecord(db, run.id),
    getPullRequestBinding(db, run.id),
    ciTriageOf(db, [run.id]),
  ])
  // A PR bound ready before any passing decision was opened ready because
  // the repository has no drafts (pull-request-publisher.ts).
  const openedReady =
    binding !== undefined &&
    !binding.draft &&
    decision?.state !== "ready-for-review" &&
    decision?.state !== "accepted"
  const writes: Array<Effect.Effect<void, unknown>> = []
  if (run.statusCommentId !== null)
    writes.push(
      github.updateComment(
        ref,
        run.statusCommentId,
        fitBody(
          renderStatusComment({
            runId: run.id,
            promptRequestId: plan.promptRequestId,
            state: run.state,
            reason: run.reason,
            initiator: plan.initiator,
            dashboardUrl,
            pullRequest:
              run.pullRequestNumber === null
                ? null
                : {
                    number: run.pullRequestNumber,
                    url: options.pullRequestUrl(plan.repository, run.pullRequestNumber),
                  },
            decision: decision ?? null,
            pullRequestNote: openedReady ? DRAFTS_UNAVAILABLE_NOTE : null,
            notes: [...statusNotes(decision), ...flakyNotes(triage)],
          }),
          dashboardUrl,
        ),
      ),
    )
  if (run.checkRunId !== null) {
    const patchSet = (await listPatchSets(db, run.id)).at(-1)
    const reviews = patchSet === undefined ? [] : await listReviewRuns(db, patchSet.id)
    const summary = {
      runId: run.id,
      state: run.state,
      reason: run.reason,
      decision: decision ?? null,
      reviews,
      dashboardUrl,
    }
    const wanted = {
      ...checkRunStatus(run.state, decision?.state),
      detailsUrl: dashboardUrl,
      output: {
        title: checkRunTitle(summary),
        summary: fitCheckOutput(renderCheckRunSummary(summary), dashboardUrl),
      },
    }
    writes.push(writeCheckRun(db, github, ref, run.id, run.checkRunId, wanted))
  }
  await Effect.runPromise(Effect.all(writes, { concurrency: "unbounded", discard: true }))
}
