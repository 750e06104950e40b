// Where each request and run reports on GitHub: the issue with its one status
// comment, and the draft PR a run opened.
import { boolean, index, integer, pgTable, text, uuid } from "drizzle-orm/pg-core"
import { createdAt, githubId, id, updatedAt } from "./columns.ts"
import { repositories } from "./github.ts"
import { promptRequests } from "./requests.ts"
import { workflowRuns } from "./runs.ts"

export const issueBindings = pgTable(
  "issue_bindings",
  {
    id: id(),
    repositoryId: uuid()
      .notNull()
      .references(() => repositories.id),
    issueNumber: integer().notNull(),
    /** One status comment per request, edited in place. */
    promptRequestId: uuid()
      .notNull()
      .unique()
      .references(() => promptRequests.id),
    statusCommentId: githubId(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index().on(t.repositoryId, t.issueNumber)],
)

export const pullRequestBindings = pgTable(
  "pull_request_bindings",
  {
    id: id(),
    repositoryId: uuid()
      .notNull()
      .references(() => repositories.id),
    workflowRunId: uuid()
      .notNull()
      .unique()
      .references(() => workflowRuns.id),
    pullRequestNumber: integer().notNull(),
    headBranch: text().notNull(),
    baseBranch: text().notNull(),
    headSha: text(),
    draft: boolean().notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index().on(t.repositoryId, t.pullRequestNumber)],
)
