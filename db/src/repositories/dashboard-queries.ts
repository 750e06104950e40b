// Reads behind the operator dashboard's API: run summaries for the list,
// connected repositories, webhook deliveries, the provenance graph of a run,
// and who signed in.
import type { WorkflowRunState } from "@patchplane/domain"
import { and, desc, eq, inArray, lt, or, sql } from "drizzle-orm"
import type { Executor } from "../client.ts"
import {
  githubInstallations,
  memberships,
  mergeDecisions,
  organizations,
  patchSets,
  promptRequests,
  provenanceEdges,
  repositories,
  modelCalls,
  reviewRuns,
  runtimeSessions,
  users,
  webhookDeliveries,
  workflowRuns,
} from "../schema/index.ts"

/** What the runs list shows besides the run row: the ask, who asked, where, and what it cost. */
export const listRunSummaries = async (db: Executor, runIds: ReadonlyArray<string>) => {
  if (runIds.length === 0) return []
  return db
    .select({
      runId: workflowRuns.id,
      prompt: sql<string>`left(${promptRequests.prompt}, 240)`,
      sourceChannel: promptRequests.sourceChannel,
      initiatorLogin: promptRequests.initiatorLogin,
      issueNumber: promptRequests.issueNumber,
      targetRef: promptRequests.targetRef,
      repository: repositories.fullName,
      tokens: sql<number>`coalesce((select sum(${modelCalls.inputTokens} + ${modelCalls.outputTokens}) from ${modelCalls} where ${modelCalls.workflowRunId} = ${workflowRuns.id}), 0)::float8`,
      costUsd: sql<number>`coalesce((select sum(${modelCalls.costUsd}) from ${modelCalls} where ${modelCalls.workflowRunId} = ${workflowRuns.id}), 0)::float8`,
    })
    .from(workflowRuns)
    .innerJoin(promptRequests, eq(promptRequests.id, workflowRuns.promptRequestId))
    .innerJoin(repositories, eq(repositories.id, workflowRuns.repositoryId))
    .where(inArray(workflowRuns.id, [...runIds]))
}

export const getRepositoryById = async (db: Executor, id: string) => {
  const [row] = await db
    .select({ repository: repositories, installation: githubInstallations })
    .from(repositories)
    .innerJoin(githubInstallations, eq(githubInstallations.id, repositories.githubInstallationId))
    .where(eq(repositories.id, id))
  return row
}

/** Installations with their repositories and each repository's latest runs. */
export const listInstallationsWithRepositories = async (db: Executor, recentRuns = 5) => {
  const installations = await db
    .select()
    .from(githubInstallations)
    .orderBy(githubInstallations.accountLogin)
  const repos = await db.select().from(repositories).orderBy(repositories.fullName)
  const recent =
    repos.length === 0
      ? []
      : (
          await db.execute<{
            repository_id: string
            id: string
            state: WorkflowRunState
            created_at: string
          }>(sql`
            SELECT r.id AS repository_id, w.id, w.state, w.created_at
            FROM ${repositories} r
            CROSS JOIN LATERAL (
              SELECT id, state, created_at FROM ${workflowRuns}
              WHERE repository_id = r.id
              ORDER BY created_at DESC, id DESC
              LIMIT ${recentRuns}
            ) w
            ORDER BY w.created_at DESC`)
        ).rows
  return installations.map((installation) => ({
    ...installation,
    repositories: repos
      .filter((repo) => repo.githubInstallationId === installation.id)
      .map((repo) => ({
        ...repo,
        recentRuns: recent
          .filter((run) => run.repository_id === repo.id)
          .map((run) => ({ id: run.id, state: run.state, createdAt: new Date(run.created_at) })),
      })),
  }))
}

export interface DeliveryCursor {
  readonly receivedAt: Date
  readonly id: string
}

/** Newest first, keyset-paginated; each with the PromptRequest it produced, if any. */
export const listDeliveries = (
  db: Executor,
  options: {
    outcome?: string
    repository?: string
    limit: number
    after?: DeliveryCursor
  },
) =>
  db
    .select({
      id: webhookDeliveries.id,
      deliveryId: webhookDeliveries.deliveryId,
      event: webhookDeliveries.event,
      action: webhookDeliveries.action,
      repositoryFullName: webhookDeliveries.repositoryFullName,
      installationId: webhookDeliveries.installationId,
      outcome: webhookDeliveries.outcome,
      error: webhookDeliveries.error,
      receivedAt: webhookDeliveries.receivedAt,
      processedAt: webhookDeliveries.processedAt,
      promptRequestId: promptRequests.id,
    })
    .from(webhookDeliveries)
    .leftJoin(promptRequests, eq(promptRequests.deliveryId, webhookDeliveries.deliveryId))
    .where(
      and(
        options.outcome === undefined
          ? undefined
          : eq(webhookDeliveries.outcome, options.outcome as "failed"),
        options.repository === undefined
          ? undefined
          : eq(webhookDeliveries.repositoryFullName, options.repository),
        options.after === undefined
          ? undefined
          : or(
              lt(webhookDeliveries.receivedAt, options.after.receivedAt),
              and(
                eq(webhookDeliveries.receivedAt, options.after.receivedAt),
                lt(webhookDeliveries.id, options.after.id),
              ),
            ),
      ),
    )
    .orderBy(desc(webhookDeliveries.receivedAt), desc(webhookDeliveries.id))
    .limit(options.limit)

/** A delivery and the PromptRequest it produced (null when none). */
export const getDeliveryWithRequest = async (db: Executor, deliveryId: string) => {
  const [row] = await db
    .select({ delivery: webhookDeliveries, promptRequestId: promptRequests.id })
    .from(webhookDeliveries)
    .leftJoin(promptRequests, eq(promptRequests.deliveryId, webhookDeliveries.deliveryId))
    .where(eq(webhookDeliveries.deliveryId, deliveryId))
  return row
}

const MAX_RUNS_IN_GRAPH = 50

/**
 * Everything in the lineage of a run's request: the request, all its runs
 * (retries included), their sessions, patch sets, reviews and decisions, and
 * the recorded edges between them (lifecycle self-edges left out).
 */
export const provenanceRecords = async (db: Executor, runId: string) => {
  const [head] = await db
    .select({ requestId: workflowRuns.promptRequestId })
    .from(workflowRuns)
    .where(eq(workflowRuns.id, runId))
  if (head === undefined) return undefined
  const [request] = await db
    .select({
      id: promptRequests.id,
      prompt: sql<string>`left(${promptRequests.prompt}, 120)`,
      initiatorLogin: promptRequests.initiatorLogin,
      sourceChannel: promptRequests.sourceChannel,
      createdAt: promptRequests.createdAt,
    })
    .from(promptRequests)
    .where(eq(promptRequests.id, head.requestId))
  const runs = await db
    .select({
      id: workflowRuns.id,
      state: workflowRuns.state,
      createdAt: workflowRuns.createdAt,
    })
    .from(workflowRuns)
    .where(eq(workflowRuns.promptRequestId, head.requestId))
    .orderBy(workflowRuns.createdAt, workflowRuns.id)
    .limit(MAX_RUNS_IN_GRAPH)
  const runIds = runs.map((run) => run.id)
  const [sessions, patches, reviews, decisions] = await Promise.all([
    db
      .select({
        id: runtimeSessions.id,
        workflowRunId: runtimeSessions.workflowRunId,
        adapter: runtimeSessions.adapter,
        status: runtimeSessions.status,
        createdAt: runtimeSessions.startedAt,
      })
      .from(runtimeSessions)
      .where(inArray(runtimeSessions.workflowRunId, runIds)),
    db
      .select({
        id: patchSets.id,
        workflowRunId: patchSets.workflowRunId,
        runtimeSessionId: patchSets.runtimeSessionId,
        diffSummary: patchSets.diffSummary,
        createdAt: patchSets.createdAt,
      })
      .from(patchSets)
      .where(inArray(patchSets.workflowRunId, runIds)),
    db
      .select({
        id: reviewRuns.id,
        workflowRunId: reviewRuns.workflowRunId,
        patchSetId: reviewRuns.patchSetId,
        reviewer: reviewRuns.reviewer,
        passed: reviewRuns.passed,
        score: reviewRuns.score,
        createdAt: reviewRuns.createdAt,
      })
      .from(reviewRuns)
      .where(inArray(reviewRuns.workflowRunId, runIds)),
    db
      .select({
        id: mergeDecisions.id,
        workflowRunId: mergeDecisions.workflowRunId,
        state: mergeDecisions.state,
        weightedScore: mergeDecisions.weightedScore,
        decidedBy: mergeDecisions.decidedBy,
        createdAt: mergeDecisions.createdAt,
      })
      .from(mergeDecisions)
      .where(inArray(mergeDecisions.workflowRunId, runIds)),
  ])
  const ids = [
    head.requestId,
    ...runIds,
    ...sessions.map((s) => s.id),
    ...patches.map((p) => p.id),
    ...reviews.map((r) => r.id),
    ...decisions.map((d) => d.id),
  ]
  const edges = await db
    .select()
    .from(provenanceEdges)
    .where(
      and(
        or(inArray(provenanceEdges.fromId, ids), inArray(provenanceEdges.toId, ids)),
        sql`${provenanceEdges.relation} <> 'transitioned'`,
      ),
    )
    .orderBy(provenanceEdges.createdAt)
    .limit(5_000)
  return { request: request ?? null, runs, sessions, patches, reviews, decisions, edges }
}

/** Records a dashboard sign-in: the user, their organization and role. */
export const upsertDashboardUser = (
  db: Executor,
  input: {
    workosUserId: string
    email: string
    name: string | null
    workosOrganizationId: string
    role: "admin" | "reviewer" | "viewer"
  },
): Promise<void> =>
  db.transaction(async (tx) => {
    const [user] = await tx
      .insert(users)
      .values({ email: input.email, name: input.name, workosUserId: input.workosUserId })
      .onConflictDoUpdate({
        target: users.workosUserId,
        set: { email: input.email, name: input.name, updatedAt: sql`now()` },
      })
      .returning({ id: users.id })
    await tx
      .insert(organizations)
      .values({
        name: input.workosOrganizationId,
        workosOrganizationId: input.workosOrganizationId,
      })
      .onConflictDoNothing({ target: organizations.workosOrganizationId })
    const [org] = await tx
      .select({ id: organizations.id })
      .from(organizations)
      .where(eq(organizations.workosOrganizationId, input.workosOrganizationId))
    if (user === undefined || org === undefined) return
    await tx
      .insert(memberships)
      .values({ userId: user.id, organizationId: org.id, role: input.role })
      .onConflictDoUpdate({
        target: [memberships.userId, memberships.organizationId],
        set: { role: input.role },
      })
  })
