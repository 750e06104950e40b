// Issue bindings: which issue a request answers in and its one status comment.
import { and, desc, eq, sql } from "drizzle-orm"
import type { Executor } from "../client.ts"
import { issueBindings, promptRequests, workflowRuns } from "../schema/index.ts"
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
