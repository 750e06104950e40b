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

/**
 * Creates a queued run, its first audit row and the request → run edge, in
 * one statement (data-modifying CTEs): one round trip per enqueued run.
 */
export const insertWorkflowRun = async (
  db: Executor,
  values: NewWorkflowRun,
  actor = "system",
): Promise<WorkflowRunRow> => {
  const created = db.$with("created").as(db.insert(workflowRuns).values(values).returning())
  const audit = db.$with("audit").as(
    db.insert(workflowRunTransitions).select(
      db
        .select({
          id: sql`gen_random_uuid()`.as("id"),
          workflowRunId: created.id,
          fromState: sql`null::workflow_run_state`.as("from_state"),
          toState: created.state,
          reason: sql`null::text`.as("reason"),
          actor: sql`${actor}::text`.as("actor"),
          createdAt: sql`now()`.as("created_at"),
        })
        .from(created),
    ),
  )
  const edge = db.$with("edge").as(
    db.insert(provenanceEdges).select(
      db
        .select({
          id: sql`gen_random_uuid()`.as("id"),
          fromKind: sql`'prompt_request'`.as("from_kind"),
          fromId: created.promptRequestId,
          relation: sql`'started'`.as("relation"),
          toKind: sql`'workflow_run'`.as("to_kind"),
          toId: created.id,
          actor: sql`${actor}::text`.as("actor"),
          data: sql`'{}'::jsonb`.as("data"),
          createdAt: sql`now()`.as("created_at"),
        })
        .from(created),
    ),
  )
  return one(await db.with(created, audit, edge).select().from(created), "insertWorkflowRun")
}

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
 * One statement — the compare-and-set, its audit row and its provenance edge
 * as data-modifying CTEs (the NOTIFY comes from the row's trigger) — so a
 * transition costs one round trip, not five: a burst of runs is bound by them.
 */
export const transitionWorkflowRun = async (
  db: Executor,
  input: TransitionInput,
): Promise<WorkflowRunRow | undefined> => {
  const actor = input.actor ?? "system"
  const reason = input.reason ?? null
  const data = { from: input.from, to: input.to, ...(reason === null ? {} : { reason }) }
  const moved = db.$with("moved").as(
    db
      .update(workflowRuns)
      .set({ state: input.to, reason, updatedAt: sql`now()` })
      .where(and(eq(workflowRuns.id, input.id), eq(workflowRuns.state, input.from)))
      .returning(),
  )
  const audit = db.$with("audit").as(
    db.insert(workflowRunTransitions).select(
      db
        .select({
          id: sql`gen_random_uuid()`.as("id"),
          workflowRunId: moved.id,
          fromState: sql`${input.from}::workflow_run_state`.as("from_state"),
          toState: sql`${input.to}::workflow_run_state`.as("to_state"),
          reason: sql`${reason}::text`.as("reason"),
          actor: sql`${actor}::text`.as("actor"),
          createdAt: sql`now()`.as("created_at"),
        })
        .from(moved),
    ),
  )
  const edge = db.$with("edge").as(
    db.insert(provenanceEdges).select(
      db
        .select({
          id: sql`gen_random_uuid()`.as("id"),
          fromKind: sql`'workflow_run'`.as("from_kind"),
          fromId: moved.id,
          relation: sql`'transitioned'`.as("relation"),
          toKind: sql`'workflow_run'`.as("to_kind"),
          toId: moved.id,
          actor: sql`${actor}::text`.as("actor"),
          data: sql`${JSON.stringify(data)}::jsonb`.as("data"),
          createdAt: sql`now()`.as("created_at"),
        })
        .from(moved),
    ),
  )
  const [run] = await db.with(moved, audit, edge).select().from(moved)
  return run
}

export interface AdvanceInput {
  readonly id: string
  /** Every state the run may move to `to` from (the domain's transition table). */
  readonly from: ReadonlyArray<WorkflowRunStateValue>
  readonly to: WorkflowRunStateValue
  readonly reason?: string | null
  readonly actor?: string
}

/**
 * The workflow's own moves, in one round trip: locks the run, moves it if its
 * current state is one of `from` (with the audit row and provenance edge, as
 * transitionWorkflowRun), and says what the state was. `previous` is undefined
 * when the run does not exist; `moved` false when its state was not in `from`
 * (nothing is written then). Holding the row lock for the statement means no
 * read-then-compare-and-set retry is needed.
 */
export const advanceWorkflowRun = async (
  db: Executor,
  input: AdvanceInput,
): Promise<{ previous: WorkflowRunStateValue | undefined; moved: boolean }> => {
  const actor = input.actor ?? "system"
  const reason = input.reason ?? null
  const extra = reason === null ? {} : { reason }
  const states = sql.join(
    input.from.map((state) => sql`${state}`),
    sql`, `,
  )
  const result = await db.execute<{ previous: WorkflowRunStateValue; moved: boolean }>(sql`
    WITH prev AS (
      SELECT id, state FROM ${workflowRuns} WHERE id = ${input.id} FOR UPDATE
    ), moved AS (
      UPDATE ${workflowRuns} AS w
         SET state = ${input.to}, reason = ${reason}, updated_at = now()
        FROM prev
       WHERE w.id = prev.id AND prev.state IN (${states})
      RETURNING w.id, prev.state AS from_state
    ), audit AS (
      INSERT INTO ${workflowRunTransitions} (workflow_run_id, from_state, to_state, reason, actor)
      SELECT id, from_state, ${input.to}::workflow_run_state, ${reason}::text, ${actor}::text FROM moved
    ), edge AS (
      INSERT INTO ${provenanceEdges} (from_kind, from_id, relation, to_kind, to_id, actor, data)
      SELECT 'workflow_run', id, 'transitioned', 'workflow_run', id, ${actor}::text,
             jsonb_build_object('from', from_state, 'to', ${input.to}::text) || ${JSON.stringify(extra)}::jsonb
        FROM moved
    )
    SELECT prev.state AS previous, (moved.id IS NOT NULL) AS moved
      FROM prev LEFT JOIN moved ON true`)
  const [row] = result.rows
  return { previous: row?.previous, moved: row?.moved ?? false }
}

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

/**
 * Attaches the policy a run is judged by (content-addressed: identical specs
 * share a row). One statement in the usual case; when another run is inserting
 * the same spec at this moment, the statement cannot see its row yet and the
 * transaction below, which can, finishes the job.
 */
export const attachPolicyBundle = async (
  db: Executor,
  runId: string,
  bundle: { name: string; digest: string; spec: Record<string, unknown>; source: string },
): Promise<string> => {
  const fast = await db.execute<{ id: string | null }>(sql`
    WITH ins AS (
      INSERT INTO ${policyBundles} (name, digest, spec, source)
      VALUES (${bundle.name}, ${bundle.digest}, ${JSON.stringify(bundle.spec)}::jsonb, ${bundle.source})
      ON CONFLICT (digest) DO NOTHING RETURNING id
    ), found AS (
      SELECT id FROM ins UNION ALL SELECT id FROM ${policyBundles} WHERE digest = ${bundle.digest}
    ), attached AS (
      UPDATE ${workflowRuns} SET policy_bundle_id = (SELECT id FROM found LIMIT 1), updated_at = now()
       WHERE id = ${runId} AND EXISTS (SELECT 1 FROM found)
      RETURNING policy_bundle_id
    )
    SELECT policy_bundle_id AS id FROM attached`)
  const attached = fast.rows[0]?.id
  if (attached !== undefined && attached !== null) return attached
  return db.transaction(async (tx) => {
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
}

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
