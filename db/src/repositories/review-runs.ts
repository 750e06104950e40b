// ReviewRuns and MergeDecisions: how a PatchSet was judged. Reviews are
// upserted per (patchSetId, reviewer) and the decision that follows is
// recorded in the same transaction, with its provenance edges.
import { and, asc, desc, eq, getTableColumns, sql } from "drizzle-orm"
import type { Executor } from "../client.ts"
import { one } from "./one.ts"
import {
  githubInstallations,
  mergeDecisions,
  patchSets,
  policyBundles,
  promptRequests,
  provenanceEdges,
  repositories,
  reviewRuns,
  workflowRuns,
} from "../schema/index.ts"

export type ReviewRunRow = typeof reviewRuns.$inferSelect
export type NewReviewRun = Omit<typeof reviewRuns.$inferInsert, "id" | "createdAt">
type DecisionRow = typeof mergeDecisions.$inferSelect
export type NewMergeDecision = Omit<typeof mergeDecisions.$inferInsert, "id" | "createdAt">

/** A review and whether this write created it (false: it replaced an earlier report). */
export type UpsertedReviewRun = ReviewRunRow & { readonly inserted: boolean }

export const upsertReviewRun = async (
  db: Executor,
  values: NewReviewRun,
): Promise<UpsertedReviewRun> => {
  const rows = await db
    .insert(reviewRuns)
    .values(values)
    .onConflictDoUpdate({
      target: [reviewRuns.patchSetId, reviewRuns.reviewer],
      set: {
        workflowRunId: values.workflowRunId,
        passed: values.passed,
        score: values.score,
        comments: values.comments ?? "",
        findings: values.findings ?? [],
        logRef: values.logRef ?? null,
        artifactRefs: values.artifactRefs ?? [],
        createdAt: sql`now()`,
      },
    })
    // xmax is 0 on a freshly inserted row version and set on an updated one.
    .returning({ ...getTableColumns(reviewRuns), inserted: sql<boolean>`(xmax = 0)` })
  return one(rows, "upsertReviewRun")
}

export const listReviewRuns = (db: Executor, patchSetId: string): Promise<ReviewRunRow[]> =>
  db
    .select()
    .from(reviewRuns)
    .where(eq(reviewRuns.patchSetId, patchSetId))
    .orderBy(asc(reviewRuns.reviewer))

export const listMergeDecisions = (db: Executor, workflowRunId: string): Promise<DecisionRow[]> =>
  db
    .select()
    .from(mergeDecisions)
    .where(eq(mergeDecisions.workflowRunId, workflowRunId))
    .orderBy(asc(mergeDecisions.createdAt), asc(mergeDecisions.id))

/** What a review report for a run is checked against: its repository, installation and policy. */
export interface ReviewTarget {
  readonly run: typeof workflowRuns.$inferSelect
  readonly repository: typeof repositories.$inferSelect
  readonly installation: typeof githubInstallations.$inferSelect
  readonly issueNumber: number | null
  /** The run's policy bundle spec, else its request's; null: the configured defaults apply. */
  readonly policySpec: Record<string, unknown> | null
  readonly policyBundleId: string | null
}

export const getReviewTarget = async (
  db: Executor,
  workflowRunId: string,
): Promise<ReviewTarget | undefined> => {
  const [row] = await db
    .select({
      run: workflowRuns,
      repository: repositories,
      installation: githubInstallations,
      issueNumber: promptRequests.issueNumber,
      requestPolicyBundleId: promptRequests.policyBundleId,
    })
    .from(workflowRuns)
    .innerJoin(repositories, eq(repositories.id, workflowRuns.repositoryId))
    .innerJoin(githubInstallations, eq(githubInstallations.id, repositories.githubInstallationId))
    .innerJoin(promptRequests, eq(promptRequests.id, workflowRuns.promptRequestId))
    .where(eq(workflowRuns.id, workflowRunId))
  if (row === undefined) return undefined
  const policyBundleId = row.run.policyBundleId ?? row.requestPolicyBundleId
  const [bundle] =
    policyBundleId === null
      ? []
      : await db
          .select({ spec: policyBundles.spec })
          .from(policyBundles)
          .where(eq(policyBundles.id, policyBundleId))
  return {
    run: row.run,
    repository: row.repository,
    installation: row.installation,
    issueNumber: row.issueNumber,
    policySpec: bundle?.spec ?? null,
    policyBundleId: bundle === undefined ? null : policyBundleId,
  }
}

/** The run's newest PatchSet, or the given one if it belongs to the run. */
export const findRunPatchSet = async (
  db: Executor,
  workflowRunId: string,
  patchSetId?: string,
): Promise<typeof patchSets.$inferSelect | undefined> => {
  const [row] = await db
    .select()
    .from(patchSets)
    .where(
      and(
        eq(patchSets.workflowRunId, workflowRunId),
        patchSetId === undefined ? undefined : eq(patchSets.id, patchSetId),
      ),
    )
    .orderBy(desc(patchSets.createdAt), desc(patchSets.id))
    .limit(1)
  return row
}

/** The run left the state a report needs before the report could be recorded. */
export class RunStateMoved extends Error {
  readonly state: string
  constructor(state: string) {
    super(`the run is ${state}`)
    this.state = state
  }
}

export interface RecordReviewsInput {
  readonly workflowRunId: string
  /**
   * Record only while the run is in this state. The run row is locked for the
   * transaction, so a transition waits for the decision, never slips past it.
   */
  readonly whileRunIn?: string
  readonly patchSetId: string
  readonly reviews: ReadonlyArray<Omit<NewReviewRun, "workflowRunId" | "patchSetId">>
  /** Turns every review the PatchSet now has into the decision to record. */
  readonly decide: (
    reviews: ReadonlyArray<ReviewRunRow>,
  ) => Omit<NewMergeDecision, "workflowRunId"> | Promise<Omit<NewMergeDecision, "workflowRunId">>
  readonly actor: string
}

export interface RecordedReviews {
  readonly reviews: ReadonlyArray<UpsertedReviewRun>
  /** Every review of the PatchSet after this write, earlier reports included. */
  readonly allReviews: ReadonlyArray<ReviewRunRow>
  readonly decision: DecisionRow
}

/**
 * Upserts the reviews and records the decision in one transaction. The
 * PatchSet row is locked first so that concurrent reports for it decide one
 * after the other, each seeing the other's reviews.
 */
export const recordReviewsAndDecision = (
  db: Executor,
  input: RecordReviewsInput,
): Promise<RecordedReviews> =>
  db.transaction(async (tx) => {
    if (input.whileRunIn !== undefined) {
      const [run] = await tx
        .select({ state: workflowRuns.state })
        .from(workflowRuns)
        .where(eq(workflowRuns.id, input.workflowRunId))
        .for("update")
      if (run?.state !== input.whileRunIn) throw new RunStateMoved(run?.state ?? "gone")
    }
    await tx
      .select({ id: patchSets.id })
      .from(patchSets)
      .where(eq(patchSets.id, input.patchSetId))
      .for("update")
    const reviews: UpsertedReviewRun[] = []
    for (const review of input.reviews)
      reviews.push(
        await upsertReviewRun(tx, {
          ...review,
          workflowRunId: input.workflowRunId,
          patchSetId: input.patchSetId,
        }),
      )
    const created = reviews.filter((r) => r.inserted)
    if (created.length > 0)
      await tx.insert(provenanceEdges).values(
        created.map((r) => ({
          fromKind: "patch_set",
          fromId: input.patchSetId,
          relation: "reviewed",
          toKind: "review_run",
          toId: r.id,
          actor: input.actor,
          data: { reviewer: r.reviewer },
        })),
      )
    const allReviews = await listReviewRuns(tx, input.patchSetId)
    const values = await input.decide(allReviews)
    const decision = one(
      await tx
        .insert(mergeDecisions)
        .values({ ...values, workflowRunId: input.workflowRunId })
        .returning(),
      "recordReviewsAndDecision",
    )
    await tx.insert(provenanceEdges).values([
      {
        fromKind: "workflow_run",
        fromId: input.workflowRunId,
        relation: "decided",
        toKind: "merge_decision",
        toId: decision.id,
        actor: input.actor,
        data: { state: decision.state },
      },
      ...allReviews.map((r) => ({
        fromKind: "review_run",
        fromId: r.id,
        relation: "informed",
        toKind: "merge_decision",
        toId: decision.id,
        actor: input.actor,
      })),
    ])
    return { reviews, allReviews, decision }
  })
