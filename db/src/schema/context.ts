// What the agent saw: the GitHub context assembled for a run (issue/PR text,
// comments, repository instructions), sanitised and budgeted, and the exact
// prompt the model was given. One row per run, written once.
import type { RunContextPart } from "@patchplane/domain"
import { integer, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core"
import { createdAt, id } from "./columns.ts"
import { workflowRuns } from "./runs.ts"

export const runContexts = pgTable("run_contexts", {
  id: id(),
  workflowRunId: uuid()
    .notNull()
    .unique()
    .references(() => workflowRuns.id),
  /** sha256 of `prompt`: the same digest means the model was given the same text. */
  digest: text().notNull(),
  /** The exact user message the agent's model received. */
  prompt: text().notNull(),
  parts: jsonb().$type<RunContextPart[]>().notNull(),
  /** Parts (or comments) left out whole because the budget was spent. */
  omitted: jsonb().$type<string[]>().notNull().default([]),
  totalChars: integer().notNull(),
  createdAt: createdAt(),
})
