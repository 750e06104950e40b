// What intake writes to GitHub for a delivery: replies to commands, the 👀
// reaction, a new run's status comment and queued check run (stored with the
// run so the status publisher keeps them current), and CI triage's re-run of
// failed jobs. Intake is given this (intake/github-writes.ts, wired in main/).
// Each write but the re-run goes through the publication guard: retried, and
// recorded when it gives up.
import { setCheckRun, setStatusComment, type Database } from "@patchplane/db"
import { Effect } from "effect"
import { CHECK_RUN_NAME } from "@patchplane/domain"
import type { GitHubShape, ReactionTarget, RepoRef } from "../github/github-service.ts"
import type { Logger } from "../platform/logger.ts"
import { guardPublication } from "./publication-guard.ts"
import { renderStatusComment, type StatusCommentInput } from "./status-comment.ts"

export interface IntakePublicationDeps {
  readonly db: Database
  readonly github: GitHubShape
  readonly log: Logger
  readonly dashboardUrl: (runId: string) => string
}

/** What intake knows of a run when it writes its status comment. */
type RunStatus = Pick<
  StatusCommentInput,
  "runId" | "promptRequestId" | "state" | "reason" | "initiator"
>

export const makeIntakePublication = (deps: IntakePublicationDeps) => ({
  forDelivery: (deliveryId: string) => intakePublication(deps, deliveryId),
})

const intakePublication = (deps: IntakePublicationDeps, deliveryId: string) => {
  const guarded = <A, E>(step: string, runId: string | null, write: Effect.Effect<A, E>) =>
    guardPublication(deps, { step, runId, deliveryId }, write)
  const statusBody = (status: RunStatus) =>
    renderStatusComment({ ...status, dashboardUrl: deps.dashboardUrl(status.runId) })
  return {
    reply: (ref: RepoRef, issueNumber: number, body: string, runId: string | null = null) =>
      guarded("reply", runId, deps.github.createComment(ref, issueNumber, body)).pipe(
        Effect.asVoid,
      ),

    acknowledge: (ref: RepoRef, target: ReactionTarget, runId: string | null = null) =>
      guarded("reaction", runId, deps.github.addReaction(ref, target, "eyes")).pipe(Effect.asVoid),

    openStatusComment: (ref: RepoRef, issueNumber: number, status: RunStatus) =>
      Effect.gen(function* () {
        const comment = yield* guarded(
          "status comment",
          status.runId,
          deps.github.createComment(ref, issueNumber, statusBody(status)),
        )
        if (comment !== undefined)
          yield* Effect.promise(() =>
            setStatusComment(deps.db, {
              promptRequestId: status.promptRequestId,
              workflowRunId: status.runId,
              commentId: comment.id,
            }),
          )
      }),

    updateStatusComment: (ref: RepoRef, commentId: number, status: RunStatus) =>
      guarded(
        "status comment",
        status.runId,
        deps.github.updateComment(ref, commentId, statusBody(status)),
      ).pipe(Effect.asVoid),

    openQueuedCheck: (ref: RepoRef, input: { readonly headSha: string; readonly runId: string }) =>
      Effect.gen(function* () {
        const check = yield* guarded(
          "check run",
          input.runId,
          deps.github.createCheckRun(ref, {
            name: CHECK_RUN_NAME,
            headSha: input.headSha,
            status: "queued",
            externalId: input.runId,
            detailsUrl: deps.dashboardUrl(input.runId),
            output: { title: "Queued", summary: `PatchPlane run \`${input.runId}\` is queued.` },
          }),
        )
        if (check !== undefined)
          yield* Effect.promise(() => setCheckRun(deps.db, input.runId, check.id))
      }),

    // Not guarded: a re-run GitHub refuses fails the delivery, which says so.
    rerunFailedJobs: (ref: RepoRef, githubRunId: number) =>
      deps.github.rerunFailedJobs(ref, githubRunId),
  }
}
