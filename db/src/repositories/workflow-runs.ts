// WorkflowRun rows. Which transitions are legal is domain knowledge (app's
// workflow-run.ts); here a transition is a compare-and-set on the current
// state, recorded in the same transaction as its audit row and provenance edge.
import { and, desc, eq, inArray, isNull, lt, or, sql } from "drizzle-orm"
import type { Executor } from "../client.ts"
import { one } from "./one.ts"
import {
  githubInstallations,
  policyBundles,
  promptRequests,
  provenanceEdges,
  repositories,
  workflowRunTransitions,
  workflowRuns,
} from "../schema/index.ts"

export type WorkflowRunRow = typeof workflowRuns.$inferSelect
export type WorkflowRunStateValue = WorkflowRunRow["state"]
export type NewWorkflowRun = Omit<
  typeof workflowRuns.$inferInsert,
  "id" | "state" | "lastEventSeq" | "createdAt" | "updatedAt"
>

/** Creates a queued run, its first audit row and the request → run edge. */
export const insertWorkflowRun = (
  db: Executor,
  values: NewWorkflowRun,
  actor = "system",
): Promise<WorkflowRunRow> =>
  db.transaction(async (tx) => {
    const run = one(await tx.insert(workflowRuns).values(values).returning(), "insertWorkflowRun")
    await tx
      .insert(workflowRunTransitions)
      .values({ workflowRunId: run.id, fromState: null, toState: run.state, actor })
    await tx.insert(provenanceEdges).values({
      fromKind: "prompt_request",
      fromId: run.promptRequestId,
      relation: "started",
      toKind: "workflow_run",
      toId: run.id,
      actor,
    })
    return run
  })

export const getWorkflowRun = async (
  db: Executor,
  id: string,
): Promise<WorkflowRunRow | undefined> => {
  const [row] = await db.select().from(workflowRuns).where(eq(workflowRuns.id, id))
  return row
}

export interface RunPageCursor {
  readonly createdAt: Date
  readonly id: string
}

/** Newest first, keyset-paginated on (createdAt, id) so deep pages stay fast. */
export const listWorkflowRuns = async (
  db: Executor,
  options: {
    states?: ReadonlyArray<WorkflowRunStateValue>
    repositoryId?: string
    limit?: number
    after?: RunPageCursor
  } = {},
): Promise<WorkflowRunRow[]> => {
  const { after } = options
  return db
    .select()
    .from(workflowRuns)
    .where(
      and(
        options.states && options.states.length > 0
          ? inArray(workflowRuns.state, [...options.states])
          : undefined,
        options.repositoryId ? eq(workflowRuns.repositoryId, options.repositoryId) : undefined,
        after
          ? or(
              lt(workflowRuns.createdAt, after.createdAt),
              and(eq(workflowRuns.createdAt, after.createdAt), lt(workflowRuns.id, after.id)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(workflowRuns.createdAt), desc(workflowRuns.id))
    .limit(options.limit ?? 50)
}

export interface TransitionInput {
  readonly id: string
  /** The state the caller saw; the write only happens if the run is still in it. */
  readonly from: WorkflowRunStateValue
  readonly to: WorkflowRunStateValue
  readonly reason?: string | null
  readonly actor?: string
}

/**
 * Moves a run from `from` to `to` atomically. Returns undefined when the run
 * was no longer in `from` (someone else moved it first): nothing is written.
 */
export const transitionWorkflowRun = (
  db: Executor,
  input: TransitionInput,
): Promise<WorkflowRunRow | undefined> =>
  db.transaction(async (tx) => {
    const actor = input.actor ?? "system"
    const reason = input.reason ?? null
    const [run] = await tx
      .update(workflowRuns)
      .set({ state: input.to, reason, updatedAt: sql`now()` })
      .where(and(eq(workflowRuns.id, input.id), eq(workflowRuns.state, input.from)))
      .returning()
    if (!run) return undefined
    await tx.insert(workflowRunTransitions).values({
      workflowRunId: run.id,
      fromState: input.from,
      toState: input.to,
      reason,
      actor,
    })
    await tx.insert(provenanceEdges).values({
      fromKind: "workflow_run",
      fromId: run.id,
      relation: "transitioned",
      toKind: "workflow_run",
      toId: run.id,
      actor,
      data: { from: input.from, to: input.to, ...(reason === null ? {} : { reason }) },
    })
    return run
  })

export const listTransitions = (db: Executor, workflowRunId: string) =>
  db
    .select()
    .from(workflowRunTransitions)
    .where(eq(workflowRunTransitions.workflowRunId, workflowRunId))
    .orderBy(workflowRunTransitions.createdAt, workflowRunTransitions.id)

/** The first run of a request (enqueue is idempotent per request). */
export const firstRunOfRequest = async (
  db: Executor,
  promptRequestId: string,
): Promise<WorkflowRunRow | undefined> => {
  const [row] = await db
    .select()
    .from(workflowRuns)
    .where(eq(workflowRuns.promptRequestId, promptRequestId))
    .orderBy(workflowRuns.createdAt, workflowRuns.id)
    .limit(1)
  return row
}

/** Everything a run's workflow needs to know about what it is working on. */
export const loadRunContext = async (db: Executor, runId: string) => {
  const [row] = await db
    .select({
      run: workflowRuns,
      request: promptRequests,
      repository: repositories,
      installation: githubInstallations,
    })
    .from(workflowRuns)
    .innerJoin(promptRequests, eq(promptRequests.id, workflowRuns.promptRequestId))
    .innerJoin(repositories, eq(repositories.id, workflowRuns.repositoryId))
    .innerJoin(githubInstallations, eq(githubInstallations.id, repositories.githubInstallationId))
    .where(eq(workflowRuns.id, runId))
  return row
}

/** Attaches the policy a run is judged by (content-addressed: identical specs share a row). */
export const attachPolicyBundle = (
  db: Executor,
  runId: string,
  bundle: { name: string; digest: string; spec: Record<string, unknown>; source: string },
): Promise<string> =>
  db.transaction(async (tx) => {
    await tx
      .insert(policyBundles)
      .values(bundle)
      .onConflictDoNothing({ target: policyBundles.digest })
    const [row] = await tx
      .select({ id: policyBundles.id })
      .from(policyBundles)
      .where(eq(policyBundles.digest, bundle.digest))
    const policyBundleId = one(row ? [row] : [], "attachPolicyBundle").id
    await tx
      .update(workflowRuns)
      .set({ policyBundleId, updatedAt: sql`now()` })
      .where(eq(workflowRuns.id, runId))
    return policyBundleId
  })

/**
 * Runs that hold a conversation's target, oldest first: runs from the same
 * issue or PR, and — for a PR's runs (`matchRef`) — runs on the same branch.
 * A run holds it until its changes are published (then the next may build on
 * them); waiting for review or a human after that holds nothing.
 */
export const liveRunsOnTarget = (
  db: Executor,
  input: {
    repositoryId: string
    targetRef: string
    issueNumber: number | null
    /** Also match runs on the same branch (a PR's head). */
    matchRef: boolean
  },
) =>
  db
    .select({ id: workflowRuns.id, state: workflowRuns.state, createdAt: workflowRuns.createdAt })
    .from(workflowRuns)
    .innerJoin(promptRequests, eq(promptRequests.id, workflowRuns.promptRequestId))
    .where(
      and(
        eq(workflowRuns.repositoryId, input.repositoryId),
        // No conversation and no branch to share (a run started from the API): nothing holds it.
        or(
          sql`false`,
          input.matchRef ? eq(promptRequests.targetRef, input.targetRef) : undefined,
          input.issueNumber === null
            ? undefined
            : eq(promptRequests.issueNumber, input.issueNumber),
        ),
        or(
          inArray(workflowRuns.state, ["queued", "provisioning", "running", "collecting"]),
          and(
            inArray(workflowRuns.state, ["reviewing", "awaiting_approval"]),
            isNull(workflowRuns.pullRequestNumber),
          ),
        ),
      ),
    )
    .orderBy(workflowRuns.createdAt, workflowRuns.id)
