// What intake writes to GitHub for a delivery: replies to commands, the 👀
// reaction, and a new run's status comment and queued check run (stored with
// the run so the status publisher keeps them current). Each write goes
// through the publication guard: retried, and recorded when it gives up.
import { setCheckRun, setStatusComment, type Database } from "@patchplane/db"
import { Effect } from "effect"
import type { GitHubShape, ReactionTarget, RepoRef } from "../github/github-service.ts"
import type { Logger } from "../platform/logger.ts"
import { CHECK_RUN_NAME } from "./check-run-name.ts"
import { guardPublication } from "./publication-guard.ts"

export interface IntakePublicationDeps {
  readonly db: Database
  readonly github: GitHubShape
  readonly log: Logger
  readonly dashboardUrl: (runId: string) => string
}

export const intakePublication = (deps: IntakePublicationDeps, deliveryId: string) => {
  const guarded = <A, E>(step: string, runId: string | null, write: Effect.Effect<A, E>) =>
    guardPublication(deps, { step, runId, deliveryId }, write)
  return {
    reply: (ref: RepoRef, issueNumber: number, body: string, runId: string | null = null) =>
      guarded("reply", runId, deps.github.createComment(ref, issueNumber, body)),

    /** 👀 on the comment (or issue) that asked: seen and being handled. */
    acknowledge: (ref: RepoRef, target: ReactionTarget, runId: string | null = null) =>
      guarded("reaction", runId, deps.github.addReaction(ref, target, "eyes")),

    /** A run's status comment, created once and bound to the run and its request. */
    openStatusComment: (
      ref: RepoRef,
      input: {
        readonly issueNumber: number
        readonly runId: string
        readonly promptRequestId: string
        readonly body: string
      },
    ) =>
      Effect.gen(function* () {
        const comment = yield* guarded(
          "status comment",
          input.runId,
          deps.github.createComment(ref, input.issueNumber, input.body),
        )
        if (comment !== undefined)
          yield* Effect.promise(() =>
            setStatusComment(deps.db, {
              promptRequestId: input.promptRequestId,
              workflowRunId: input.runId,
              commentId: comment.id,
            }),
          )
      }),

    updateStatusComment: (ref: RepoRef, commentId: number, body: string, runId: string) =>
      guarded("status comment", runId, deps.github.updateComment(ref, commentId, body)),

    /** The queued `PatchPlane` check on the head a PR request came from. */
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
  }
}
