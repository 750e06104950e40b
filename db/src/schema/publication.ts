// GitHub writes for a run that gave up after their retries (a status comment
// update, a check run, a reaction): kept so the run page says what GitHub is
// not showing, instead of the failure vanishing into a log line.
import { index, integer, pgTable, text, uuid } from "drizzle-orm/pg-core"
import { createdAt, id } from "./columns.ts"
import { workflowRuns } from "./runs.ts"

export const publicationFailures = pgTable(
  "publication_failures",
  {
    id: id(),
    workflowRunId: uuid()
      .notNull()
      .references(() => workflowRuns.id),
    /** What was being written: "status comment", "check run", "reaction", … */
    step: text().notNull(),
    /** GitHub's answer (or why none came) on the last attempt. */
    message: text().notNull(),
    attempts: integer().notNull(),
    createdAt: createdAt(),
  },
  (t) => [index().on(t.workflowRunId, t.createdAt)],
)
