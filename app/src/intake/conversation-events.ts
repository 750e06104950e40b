// What app.yml's remaining subscriptions promise: closing an issue or a PR
// cancels the runs working on it, and "Re-run" on the `PatchPlane` check
// (check_run.rerequested) retries its run when it stopped.
import {
  getRepositoryByFullName,
  liveRunsOfConversation,
  loadRunContext,
  setStatusComment,
} from "@patchplane/db"
import { Effect } from "effect"
import { CHECK_RUN_NAME } from "@patchplane/domain"
import type { IntakeDeps, Outcome } from "./command-handler.ts"
import type { CheckRunRerequested, ConversationClosed } from "./webhook-payloads.ts"

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

export const handleConversationClosed = (
  deps: IntakeDeps,
  kind: "issue" | "pull request",
  p: typeof ConversationClosed.Type,
) =>
  Effect.gen(function* () {
    const number = p.issue?.number ?? p.pull_request?.number ?? p.number
    if (number === undefined) return { outcome: "ignored", note: "no number" } satisfies Outcome
    const repository = yield* Effect.promise(() =>
      getRepositoryByFullName(deps.db, p.repository.full_name),
    )
    if (repository === undefined)
      return { outcome: "ignored", note: "repository not connected" } satisfies Outcome
    const live = yield* Effect.promise(() => liveRunsOfConversation(deps.db, repository.id, number))
    const how = p.pull_request?.merged === true ? "merged" : "closed"
    const reason = `${kind} #${number} ${how} by @${p.sender.login}`
    let cancelled = 0
    for (const runId of live) {
      const done = yield* deps.orchestrator.cancel(runId, p.sender.login, reason).pipe(
        Effect.map(() => true),
        Effect.catch(() => Effect.succeed(false)), // it stopped meanwhile
      )
      if (done) {
        cancelled += 1
        yield* Effect.promise(() => deps.publishStatus(runId))
      }
    }
    return {
      outcome: cancelled > 0 ? "processed" : "ignored",
      note: `${reason}: ${cancelled} run(s) cancelled`,
    } satisfies Outcome
  })

export const handleCheckRunRerequested = (deps: IntakeDeps, p: typeof CheckRunRerequested.Type) =>
  Effect.gen(function* () {
    const runId = p.check_run.external_id ?? ""
    if (p.check_run.name !== CHECK_RUN_NAME || !UUID.test(runId))
      return { outcome: "ignored", note: "not the PatchPlane check" } satisfies Outcome
    const context = yield* Effect.promise(() => loadRunContext(deps.db, runId))
    if (context === undefined || context.repository.fullName !== p.repository.full_name)
      return { outcome: "ignored", note: `no run ${runId} in this repository` } satisfies Outcome
    const result = yield* deps.orchestrator.retry(runId, p.sender.login).pipe(
      Effect.map((run) => ({ ok: true as const, run })),
      Effect.catch((error) => Effect.succeed({ ok: false as const, message: error.message })),
    )
    if (!result.ok)
      return { outcome: "refused", note: `re-run: ${result.message}` } satisfies Outcome
    // The status comment follows the new run, as with `/patchplane retry`.
    const commentId = context.run.statusCommentId
    if (commentId !== null)
      yield* Effect.promise(() =>
        setStatusComment(deps.db, {
          promptRequestId: context.request.id,
          workflowRunId: result.run.id,
          commentId,
        }),
      )
    yield* Effect.promise(() => deps.publishStatus(result.run.id))
    return { outcome: "processed", note: `re-run → run ${result.run.id}` } satisfies Outcome
  })
