// One verified event in, one Outcome out. Decodes the payload parts we use
// and hands them to the command handler or the installation sync.
import { Effect } from "effect"
import { decodeWith } from "@patchplane/domain"
import {
  type CommandSource,
  handleCommandSource,
  type IntakeDeps,
  type Outcome,
} from "./command-handler.ts"
import { handleWorkflowRunCompleted } from "./ci-handler.ts"
import { handleCheckRunRerequested, handleConversationClosed } from "./conversation-events.ts"
import { handleReviewSubmitted } from "./review-handler.ts"
import { syncInstallation, syncInstallationRepositories } from "./installation-sync.ts"
import {
  InstallationEvent,
  InstallationRepositoriesEvent,
  IssueCommentCreated,
  IssuesOpened,
  PullRequestReviewSubmitted,
  CheckRunRerequested,
  ConversationClosed,
  ReviewCommentCreated,
  WorkflowRunCompleted,
} from "./webhook-payloads.ts"

export interface VerifiedEvent {
  readonly id: string
  readonly name: string
  readonly payload: Record<string, unknown>
}

const decode = <S extends Parameters<typeof decodeWith>[0]>(schema: S, event: VerifiedEvent) =>
  decodeWith(schema, `${event.name} payload`, { excess: "ignore" })(event.payload)

/**
 * A payload whose shape we do not read is no failure of ours: GitHub would
 * redeliver it forever on a 500. It is recorded as ignored with the decode
 * error, so an operator sees what was not understood.
 */
export const routeEvent = (deps: IntakeDeps, event: VerifiedEvent) =>
  routeDecoded(deps, event).pipe(
    Effect.catchTag("DecodeError", (error) =>
      Effect.succeed({
        outcome: "ignored",
        note: `payload not understood: ${error.message}`,
      } satisfies Outcome),
    ),
  )

const routeDecoded = (deps: IntakeDeps, event: VerifiedEvent) =>
  Effect.gen(function* () {
    const action = typeof event.payload.action === "string" ? event.payload.action : undefined
    const key = action === undefined ? event.name : `${event.name}.${action}`
    switch (key) {
      case "issue_comment.created": {
        const p = yield* decode(IssueCommentCreated, event)
        return yield* handleCommandSource(deps, {
          deliveryId: event.id,
          channel: p.issue.pull_request ? "pr_comment" : "issue_comment",
          installationId: p.installation?.id,
          repository: p.repository,
          sender: p.sender,
          text: p.comment.body ?? "",
          issueNumber: p.issue.number,
          commentId: p.comment.id,
          reactionTarget: { kind: "issue_comment", commentId: p.comment.id },
          pullRequest: p.issue.pull_request ? { number: p.issue.number } : null,
        } satisfies CommandSource)
      }
      case "pull_request_review_comment.created": {
        const p = yield* decode(ReviewCommentCreated, event)
        return yield* handleCommandSource(deps, {
          deliveryId: event.id,
          channel: "pr_review_comment",
          installationId: p.installation?.id,
          repository: p.repository,
          sender: p.sender,
          text: p.comment.body ?? "",
          issueNumber: p.pull_request.number,
          commentId: p.comment.id,
          reactionTarget: { kind: "review_comment", commentId: p.comment.id },
          pullRequest: {
            number: p.pull_request.number,
            headSha: p.pull_request.head.sha,
            headRef: p.pull_request.head.ref,
            headRepoFullName: p.pull_request.head.repo?.full_name ?? null,
          },
        })
      }
      case "issues.opened": {
        const p = yield* decode(IssuesOpened, event)
        return yield* handleCommandSource(deps, {
          deliveryId: event.id,
          channel: "issue",
          installationId: p.installation?.id,
          repository: p.repository,
          sender: p.sender,
          text: p.issue.body ?? "",
          issueNumber: p.issue.number,
          commentId: null,
          reactionTarget: { kind: "issue", issueNumber: p.issue.number },
          pullRequest: null,
        })
      }
      case "pull_request_review.submitted":
        return yield* handleReviewSubmitted(
          deps,
          event.id,
          yield* decode(PullRequestReviewSubmitted, event),
        )
      case "issues.closed":
        return yield* handleConversationClosed(
          deps,
          "issue",
          yield* decode(ConversationClosed, event),
        )
      case "pull_request.closed":
        return yield* handleConversationClosed(
          deps,
          "pull request",
          yield* decode(ConversationClosed, event),
        )
      case "check_run.rerequested":
        return yield* handleCheckRunRerequested(deps, yield* decode(CheckRunRerequested, event))
      case "workflow_run.completed":
        return yield* handleWorkflowRunCompleted(
          deps,
          event.id,
          yield* decode(WorkflowRunCompleted, event),
        )
      case "pull_request_review.edited":
      case "pull_request_review.dismissed":
        return {
          outcome: "ignored",
          note: "only a submitted review starts a round",
        } satisfies Outcome
      case "issue_comment.edited":
      case "pull_request_review_comment.edited":
      case "issues.edited":
        // An edit never starts a run: what reviewers saw when it was posted is what counts.
        return { outcome: "ignored", note: "edited text never starts a run" } satisfies Outcome
      default:
        if (event.name === "installation")
          return yield* syncInstallation(deps.db, yield* decode(InstallationEvent, event))
        if (event.name === "installation_repositories")
          return yield* syncInstallationRepositories(
            deps.db,
            yield* decode(InstallationRepositoriesEvent, event),
          )
        return { outcome: "ignored", note: `no handler for ${key}` } satisfies Outcome
    }
  })
