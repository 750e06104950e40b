import { and, desc, eq, lt } from "drizzle-orm"
import type { Executor } from "../client.ts"
import { one } from "./one.ts"
import { promptRequests } from "../schema/index.ts"

export type PromptRequestRow = typeof promptRequests.$inferSelect
export type NewPromptRequest = Omit<typeof promptRequests.$inferInsert, "id" | "createdAt">

export const insertPromptRequest = async (
  db: Executor,
  values: NewPromptRequest,
): Promise<PromptRequestRow> => {
  return one(await db.insert(promptRequests).values(values).returning(), "insertPromptRequest")
}

export const getPromptRequest = async (
  db: Executor,
  id: string,
): Promise<PromptRequestRow | undefined> => {
  const [row] = await db.select().from(promptRequests).where(eq(promptRequests.id, id))
  return row
}

/** Newest first; pass the last row's createdAt as `before` for the next page. */
export const listPromptRequests = async (
  db: Executor,
  options: { repositoryId: string; limit?: number; before?: Date },
): Promise<PromptRequestRow[]> =>
  db
    .select()
    .from(promptRequests)
    .where(
      and(
        eq(promptRequests.repositoryId, options.repositoryId),
        options.before ? lt(promptRequests.createdAt, options.before) : undefined,
      ),
    )
    .orderBy(desc(promptRequests.createdAt))
    .limit(options.limit ?? 50)

/** The request a delivery created, if any: a reprocessed delivery continues it. */
export const getPromptRequestByDelivery = async (
  db: Executor,
  deliveryId: string,
): Promise<PromptRequestRow | undefined> => {
  const [row] = await db
    .select()
    .from(promptRequests)
    .where(eq(promptRequests.deliveryId, deliveryId))
  return row
}
