// What a run produced and how it was judged: PatchSets, ReviewRuns, MergeDecisions.
import {
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  unique,
  uuid,
} from "drizzle-orm/pg-core"
import type {
  CriterionResult,
  DependencyChange,
  FileChange,
  Finding,
  ReviewerName,
} from "@patchplane/domain"
import { createdAt, id } from "./columns.ts"
import { policyBundles } from "./policy.ts"
import { runtimeSessions, workflowRuns } from "./runs.ts"

export const patchSets = pgTable(
  "patch_sets",
  {
    id: id(),
    workflowRunId: uuid()
      .notNull()
      .references(() => workflowRuns.id),
    runtimeSessionId: uuid().references(() => runtimeSessions.id),
    branch: text().notNull(),
    baseSha: text(),
    headSha: text(),
    files: jsonb().$type<FileChange[]>().notNull(),
    diffSummary: jsonb().$type<Record<string, number>>().notNull(),
    toolsUsed: jsonb().$type<string[]>().notNull().default([]),
    testsRun: jsonb().$type<string[]>().notNull().default([]),
    dependencyChanges: jsonb().$type<DependencyChange[]>().notNull().default([]),
    createdAt: createdAt(),
  },
  (t) => [index().on(t.workflowRunId)],
)

/**
 * The PatchSet's unified diff as collected (capped), written with it, so it can
 * be shown without the git host: a refused push or a deleted branch leaves
 * nothing there to compare. A table of its own keeps the text (up to the
 * collection's cap) out of every read of PatchSet rows. None for PatchSets
 * recorded before diffs were stored.
 */
export const patchSetDiffs = pgTable("patch_set_diffs", {
  patchSetId: uuid()
    .primaryKey()
    .references(() => patchSets.id),
  diff: text().notNull(),
  /** Size of the whole diff; `diff` holds at most the collection's cap. */
  bytes: integer().notNull(),
  truncated: boolean().notNull(),
  createdAt: createdAt(),
})

/** One result per reviewer per PatchSet: a re-reported result replaces, never duplicates. */
export const reviewRuns = pgTable(
  "review_runs",
  {
    id: id(),
    workflowRunId: uuid()
      .notNull()
      .references(() => workflowRuns.id),
    patchSetId: uuid()
      .notNull()
      .references(() => patchSets.id),
    reviewer: text().$type<ReviewerName>().notNull(),
    passed: boolean().notNull(),
    score: doublePrecision().notNull(),
    comments: text().notNull().default(""),
    findings: jsonb().$type<Finding[]>().notNull().default([]),
    logRef: text(),
    artifactRefs: jsonb().$type<string[]>().notNull().default([]),
    createdAt: createdAt(),
  },
  (t) => [unique().on(t.patchSetId, t.reviewer), index().on(t.workflowRunId)],
)

// Mirrors MergeDecisionState in @patchplane/domain (a test keeps them equal).
export const mergeDecisionState = pgEnum("merge_decision_state", [
  "draft-pr",
  "ready-for-review",
  "accepted",
  "rejected",
  "conflict",
  "manual-review",
])

export const mergeDecisions = pgTable(
  "merge_decisions",
  {
    id: id(),
    workflowRunId: uuid()
      .notNull()
      .references(() => workflowRuns.id),
    policyBundleId: uuid().references(() => policyBundles.id),
    weightedScore: doublePrecision().notNull(),
    criteria: jsonb().$type<CriterionResult[]>().notNull().default([]),
    state: mergeDecisionState().notNull(),
    decidedBy: text().notNull(),
    issueNumber: integer(),
    pullRequestNumber: integer(),
    createdAt: createdAt(),
  },
  (t) => [index().on(t.workflowRunId, t.createdAt)],
)
