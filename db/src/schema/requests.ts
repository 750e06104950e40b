// Durable PromptRequests: what was asked, by whom, from where.
import { index, integer, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core"
import type { Initiator } from "@patchplane/domain"
import { createdAt, githubId, id } from "./columns.ts"
import { repositories, webhookDeliveries } from "./github.ts"
import { policyBundles } from "./policy.ts"

export const promptRequests = pgTable(
  "prompt_requests",
  {
    id: id(),
    repositoryId: uuid()
      .notNull()
      .references(() => repositories.id),
    /** The prompt the agent sees: sanitised of what a reviewer cannot see (HTML comments, …). */
    prompt: text().notNull(),
    /** The text exactly as written, kept for audit. */
    promptRaw: text().notNull().default(""),
    sourceChannel: text().notNull(),
    targetRef: text().notNull(),
    targetPaths: jsonb().$type<string[]>(),
    expectedOutcome: text(),
    policyBundleId: uuid().references(() => policyBundles.id),
    hints: jsonb().$type<string[]>().notNull().default([]),
    /** The Initiator record; `initiatorLogin` repeats the login for queries. */
    initiator: jsonb().$type<Initiator>().notNull(),
    initiatorLogin: text(),
    /** At most one request per delivery: a redelivered webhook cannot create a second. */
    deliveryId: text()
      .unique()
      .references(() => webhookDeliveries.deliveryId),
    issueNumber: integer(),
    commentId: githubId(),
    /** Set for `/patchplane revert`: the merged PatchPlane PR to undo, instead of an agent prompt. */
    revertOf: jsonb().$type<{
      pullRequestNumber: number
      mergeCommitSha: string
      workflowRunId: string
    }>(),
    createdAt: createdAt(),
  },
  (t) => [index().on(t.repositoryId, t.createdAt)],
)
