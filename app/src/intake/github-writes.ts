// What intake writes to GitHub, as a service it is given (IntakeDeps.writes):
// publication/intake-publication.ts implements it and main/ wires it in, so
// intake never imports publication (npm run check:layers refuses that).
import type { Effect } from "effect"
import type { WorkflowRunState } from "@patchplane/domain"
import type { GitHubError, ReactionTarget, RepoRef } from "../github/github-service.ts"

/** What a run's status comment shows when intake writes it. */
export interface RunStatus {
  readonly runId: string
  readonly promptRequestId: string
  readonly state: WorkflowRunState
  readonly reason: string | null
  readonly initiator: string
}

/**
 * The writes for one delivery. Each is retried and, when GitHub still
 * refuses, recorded (against the run, when there is one): none fails the
 * delivery, except the CI re-run, whose failure the delivery reports.
 */
export interface DeliveryWrites {
  readonly reply: (
    ref: RepoRef,
    issueNumber: number,
    body: string,
    runId?: string | null,
  ) => Effect.Effect<void>
  /** 👀 on the comment (or issue) that asked: seen and being handled. */
  readonly acknowledge: (
    ref: RepoRef,
    target: ReactionTarget,
    runId?: string | null,
  ) => Effect.Effect<void>
  /** A run's status comment, created once and bound to the run and its request. */
  readonly openStatusComment: (
    ref: RepoRef,
    issueNumber: number,
    status: RunStatus,
  ) => Effect.Effect<void>
  readonly updateStatusComment: (
    ref: RepoRef,
    commentId: number,
    status: RunStatus,
  ) => Effect.Effect<void>
  /** The queued `PatchPlane` check on the head a PR request came from. */
  readonly openQueuedCheck: (
    ref: RepoRef,
    input: { readonly headSha: string; readonly runId: string },
  ) => Effect.Effect<void>
  /** CI triage: re-runs a failed workflow run's failed jobs once, on the same commit. */
  readonly rerunFailedJobs: (ref: RepoRef, githubRunId: number) => Effect.Effect<void, GitHubError>
}

export interface GitHubWrites {
  readonly forDelivery: (deliveryId: string) => DeliveryWrites
}
