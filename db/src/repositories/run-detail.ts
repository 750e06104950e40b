// Everything the dashboard shows about one run, in one call.
import { and, asc, desc, eq, or } from "drizzle-orm"
import type { Executor } from "../client.ts"
import {
  mergeDecisions,
  patchSets,
  pendingApprovals,
  promptRequests,
  provenanceEdges,
  publicationFailures,
  repositories,
  reviewRuns,
  runtimeSessions,
  workflowRunTransitions,
  workflowRuns,
} from "../schema/index.ts"
import { latestRuntimeEvents } from "./runtime-events.ts"

export const runDetail = async (db: Executor, runId: string, eventLimit = 200) => {
  const [head] = await db
    .select({ run: workflowRuns, request: promptRequests, repository: repositories })
    .from(workflowRuns)
    .innerJoin(promptRequests, eq(promptRequests.id, workflowRuns.promptRequestId))
    .innerJoin(repositories, eq(repositories.id, workflowRuns.repositoryId))
    .where(eq(workflowRuns.id, runId))
  if (head === undefined) return undefined
  const [sessions, events, patches, reviews, decisions, transitions, approvals, edges, failures] =
    await Promise.all([
      db
        .select()
        .from(runtimeSessions)
        .where(eq(runtimeSessions.workflowRunId, runId))
        .orderBy(asc(runtimeSessions.startedAt)),
      // The newest events: the page shows the latest work and asks for earlier pages.
      latestRuntimeEvents(db, runId, { limit: eventLimit }),
      db
        .select()
        .from(patchSets)
        .where(eq(patchSets.workflowRunId, runId))
        .orderBy(asc(patchSets.createdAt)),
      db
        .select()
        .from(reviewRuns)
        .where(eq(reviewRuns.workflowRunId, runId))
        .orderBy(asc(reviewRuns.createdAt)),
      db
        .select()
        .from(mergeDecisions)
        .where(eq(mergeDecisions.workflowRunId, runId))
        .orderBy(desc(mergeDecisions.createdAt)),
      db
        .select()
        .from(workflowRunTransitions)
        .where(eq(workflowRunTransitions.workflowRunId, runId))
        .orderBy(asc(workflowRunTransitions.createdAt), asc(workflowRunTransitions.id)),
      db
        .select()
        .from(pendingApprovals)
        .where(eq(pendingApprovals.workflowRunId, runId))
        .orderBy(asc(pendingApprovals.createdAt)),
      db
        .select()
        .from(provenanceEdges)
        .where(
          or(
            and(eq(provenanceEdges.fromKind, "workflow_run"), eq(provenanceEdges.fromId, runId)),
            and(eq(provenanceEdges.toKind, "workflow_run"), eq(provenanceEdges.toId, runId)),
          ),
        )
        .orderBy(asc(provenanceEdges.createdAt)),
      db
        .select()
        .from(publicationFailures)
        .where(eq(publicationFailures.workflowRunId, runId))
        .orderBy(asc(publicationFailures.createdAt), asc(publicationFailures.id)),
    ])
  return {
    ...head,
    sessions,
    events,
    patchSets: patches,
    reviews,
    decision: decisions[0] ?? null,
    transitions,
    approvals,
    provenance: edges,
    /** GitHub writes for this run that gave up (what GitHub is not showing). */
    publicationFailures: failures,
  }
}
