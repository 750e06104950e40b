import { desc, eq } from "drizzle-orm"
import type { Executor } from "../client.ts"
import { mergeDecisions, promptRequests, provenanceEdges, workflowRuns } from "../schema/index.ts"
import { one } from "./one.ts"

export type MergeDecisionRow = typeof mergeDecisions.$inferSelect

/** The decision that stands for a run: the newest one. */
export const latestMergeDecision = async (
  db: Executor,
  workflowRunId: string,
): Promise<MergeDecisionRow | undefined> => {
  const [row] = await db
    .select()
    .from(mergeDecisions)
    .where(eq(mergeDecisions.workflowRunId, workflowRunId))
    .orderBy(desc(mergeDecisions.createdAt), desc(mergeDecisions.id))
    .limit(1)
  return row
}

export const insertMergeDecision = async (
  db: Executor,
  values: Omit<typeof mergeDecisions.$inferInsert, "id" | "createdAt">,
): Promise<MergeDecisionRow> =>
  one(await db.insert(mergeDecisions).values(values).returning(), "insertMergeDecision")

/**
 * A decision made outside the review endpoint (a human settling a manual
 * review, a conflict found while publishing), with its provenance edge.
 * Score and policy carry over from the decision it supersedes.
 */
export const recordMergeDecision = (
  db: Executor,
  input: {
    readonly workflowRunId: string
    readonly state: MergeDecisionRow["state"]
    readonly decidedBy: string
    readonly detail: string
  },
): Promise<MergeDecisionRow> =>
  db.transaction(async (tx) => {
    const previous = await latestMergeDecision(tx, input.workflowRunId)
    const [run] = await tx
      .select({
        policyBundleId: workflowRuns.policyBundleId,
        pullRequestNumber: workflowRuns.pullRequestNumber,
        issueNumber: promptRequests.issueNumber,
      })
      .from(workflowRuns)
      .innerJoin(promptRequests, eq(promptRequests.id, workflowRuns.promptRequestId))
      .where(eq(workflowRuns.id, input.workflowRunId))
    const decision = await insertMergeDecision(tx, {
      workflowRunId: input.workflowRunId,
      policyBundleId: previous?.policyBundleId ?? run?.policyBundleId ?? null,
      weightedScore: previous?.weightedScore ?? 0,
      criteria: [
        ...(previous?.criteria ?? []),
        {
          criterion: input.decidedBy === "publication" ? "publication" : "human",
          passed: input.state !== "rejected" && input.state !== "conflict",
          detail: input.detail,
        },
      ],
      state: input.state,
      decidedBy: input.decidedBy,
      issueNumber: run?.issueNumber ?? null,
      pullRequestNumber: run?.pullRequestNumber ?? null,
    })
    await tx.insert(provenanceEdges).values({
      fromKind: "workflow_run",
      fromId: input.workflowRunId,
      relation: "decided",
      toKind: "merge_decision",
      toId: decision.id,
      actor: input.decidedBy,
      data: { state: decision.state, detail: input.detail },
    })
    return decision
  })
