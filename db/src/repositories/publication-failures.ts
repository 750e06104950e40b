// GitHub writes that gave up, per run (see schema/publication.ts).
import { asc, eq } from "drizzle-orm"
import type { Executor } from "../client.ts"
import { publicationFailures } from "../schema/index.ts"

export type PublicationFailureRow = typeof publicationFailures.$inferSelect

export const recordPublicationFailure = async (
  db: Executor,
  input: {
    readonly workflowRunId: string
    readonly step: string
    readonly message: string
    readonly attempts: number
  },
): Promise<void> => {
  await db.insert(publicationFailures).values(input)
}

export const listPublicationFailures = (
  db: Executor,
  workflowRunId: string,
): Promise<ReadonlyArray<PublicationFailureRow>> =>
  db
    .select()
    .from(publicationFailures)
    .where(eq(publicationFailures.workflowRunId, workflowRunId))
    .orderBy(asc(publicationFailures.createdAt), asc(publicationFailures.id))
