// CI triage on PatchPlane PRs: each failed GitHub Actions workflow run is
// re-run once before any tokens are spent; what came of it is kept here
// (flaky when the re-run passed, failed when it did not, and the repair
// round it started). Keyed by GitHub's workflow run id.
import { index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core"
import { createdAt, githubId, id } from "./columns.ts"
import { repositories } from "./github.ts"
import { workflowRuns } from "./runs.ts"

export const ciTriage = pgTable(
  "ci_triage",
  {
    id: id(),
    repositoryId: uuid()
      .notNull()
      .references(() => repositories.id),
    /** The PatchPlane run whose PR head the CI ran on (a repair round, once started). */
    workflowRunId: uuid()
      .notNull()
      .references(() => workflowRuns.id),
    githubRunId: githubId().notNull().unique(),
    workflowName: text().notNull(),
    headSha: text().notNull(),
    outcome: text({ enum: ["rerun-requested", "flaky", "failed", "repair-started", "stopped"] })
      .notNull()
      .default("rerun-requested"),
    /** Failing jobs and their last error lines: the same failure twice stops the chain. */
    failure: text(),
    repairRunId: uuid().references(() => workflowRuns.id),
    createdAt: createdAt(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index().on(t.workflowRunId)],
)
