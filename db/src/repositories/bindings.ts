// Issue bindings: which issue a request answers in and its one status comment.
import { and, desc, eq, sql } from "drizzle-orm"
import type { Executor } from "../client.ts"
import {
  issueBindings,
  promptRequests,
  pullRequestBindings,
  workflowRuns,
} from "../schema/index.ts"
import { one } from "./one.ts"

export type IssueBindingRow = typeof issueBindings.$inferSelect

export const insertIssueBinding = async (
  db: Executor,
  values: Omit<typeof issueBindings.$inferInsert, "id" | "createdAt" | "updatedAt">,
): Promise<IssueBindingRow> =>
  one(await db.insert(issueBindings).values(values).returning(), "insertIssueBinding")

/** Remembers the status comment; the run row carries it too for publication steps. */
export const setStatusComment = (
  db: Executor,
  input: { promptRequestId: string; workflowRunId: string; commentId: number },
): Promise<void> =>
  db.transaction(async (tx) => {
    await tx
      .update(issueBindings)
      .set({ statusCommentId: input.commentId, updatedAt: sql`now()` })
      .where(eq(issueBindings.promptRequestId, input.promptRequestId))
    await tx
      .update(workflowRuns)
      .set({ statusCommentId: input.commentId, updatedAt: sql`now()` })
      .where(eq(workflowRuns.id, input.workflowRunId))
  })

export const setCheckRun = async (
  db: Executor,
  workflowRunId: string,
  checkRunId: number,
): Promise<void> => {
  await db
    .update(workflowRuns)
    .set({ checkRunId, updatedAt: sql`now()` })
    .where(eq(workflowRuns.id, workflowRunId))
}

/** The newest run started from an issue or PR conversation, for status/cancel/approve/…. */
export const latestRunForIssue = async (
  db: Executor,
  repositoryId: string,
  issueNumber: number,
) => {
  const [row] = await db
    .select({ run: workflowRuns, request: promptRequests })
    .from(workflowRuns)
    .innerJoin(promptRequests, eq(promptRequests.id, workflowRuns.promptRequestId))
    .where(
      and(
        eq(promptRequests.repositoryId, repositoryId),
        eq(promptRequests.issueNumber, issueNumber),
      ),
    )
    .orderBy(desc(workflowRuns.createdAt), desc(workflowRuns.id))
    .limit(1)
  return row
}

export type PullRequestBindingRow = typeof pullRequestBindings.$inferSelect

/** The PR a run published to, if it did. */
export const getPullRequestBinding = async (
  db: Executor,
  workflowRunId: string,
): Promise<PullRequestBindingRow | undefined> => {
  const [row] = await db
    .select()
    .from(pullRequestBindings)
    .where(eq(pullRequestBindings.workflowRunId, workflowRunId))
  return row
}

/** Whether a PR was opened by PatchPlane (any run of this repository published to it). */
export const findPatchPlanePullRequest = async (
  db: Executor,
  repositoryId: string,
  pullRequestNumber: number,
): Promise<PullRequestBindingRow | undefined> => {
  const [row] = await db
    .select()
    .from(pullRequestBindings)
    .where(
      and(
        eq(pullRequestBindings.repositoryId, repositoryId),
        eq(pullRequestBindings.pullRequestNumber, pullRequestNumber),
      ),
    )
    .orderBy(pullRequestBindings.createdAt)
    .limit(1)
  return row
}

/**
 * Records where a run published, in one transaction with the run's own
 * pointers (PR number, check run): a retried publish step finds them and
 * updates instead of creating again.
 */
export const bindPullRequest = (
  db: Executor,
  input: Omit<typeof pullRequestBindings.$inferInsert, "id" | "createdAt" | "updatedAt"> & {
    readonly checkRunId: number | null
  },
): Promise<PullRequestBindingRow> =>
  db.transaction(async (tx) => {
    const { checkRunId, ...values } = input
    const row = one(
      await tx
        .insert(pullRequestBindings)
        .values(values)
        .onConflictDoUpdate({
          target: pullRequestBindings.workflowRunId,
          set: { headSha: values.headSha ?? null, updatedAt: sql`now()` },
        })
        .returning(),
      "bindPullRequest",
    )
    await tx
      .update(workflowRuns)
      .set({
        pullRequestNumber: values.pullRequestNumber,
        ...(checkRunId === null ? {} : { checkRunId }),
        updatedAt: sql`now()`,
      })
      .where(eq(workflowRuns.id, values.workflowRunId))
    return row
  })

export const markPullRequestBindingReady = async (
  db: Executor,
  workflowRunId: string,
): Promise<void> => {
  await db
    .update(pullRequestBindings)
    .set({ draft: false, updatedAt: sql`now()` })
    .where(eq(pullRequestBindings.workflowRunId, workflowRunId))
}
