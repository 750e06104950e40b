// What the agent saw: the GitHub context assembled for a run (issue/PR text,
// comments, repository instructions), sanitised and budgeted, and the exact
// prompt the model was given. One row per run, written once.
import { integer, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core"
import { createdAt, id } from "./columns.ts"
import { workflowRuns } from "./runs.ts"

/** One part of the context: where it came from and what the budget did to it. */
export interface RunContextPart {
  readonly kind: string
  /** e.g. "acme/widgets#3", "acme/widgets#3 comment 1201 by @alice", "CLAUDE.md@main". */
  readonly source: string
  readonly title: string
  /** Characters after sanitising, before the budget. */
  readonly originalChars: number
  /** Characters given to the agent. */
  readonly chars: number
  readonly truncated: boolean
  /** Sanitising removed something (hidden HTML, invisible characters). */
  readonly sanitised: boolean
  /** The text as given to the agent. */
  readonly text: string
}

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
