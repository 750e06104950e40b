// WorkflowRuns and what happens inside them: lifecycle transitions, runtime
// sessions, the ordered runtime event log, and pending human input.
import {
  doublePrecision,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  unique,
  uuid,
} from "drizzle-orm/pg-core"
import type { RuntimeEventPayload } from "@patchplane/domain"
import { createdAt, githubId, id, updatedAt } from "./columns.ts"
import { repositories } from "./github.ts"
import { configProfiles, executionTargets, policyBundles } from "./policy.ts"
import { promptRequests } from "./requests.ts"

// Mirrors WorkflowRunState in @patchplane/domain (a test keeps them equal).
export const workflowRunState = pgEnum("workflow_run_state", [
  "queued",
  "provisioning",
  "running",
  "collecting",
  "reviewing",
  "awaiting_approval",
  "decided",
  "cancelled",
  "failed",
  "timed_out",
])

export const workflowRuns = pgTable(
  "workflow_runs",
  {
    id: id(),
    promptRequestId: uuid()
      .notNull()
      .references(() => promptRequests.id),
    repositoryId: uuid()
      .notNull()
      .references(() => repositories.id),
    executionTargetId: uuid().references(() => executionTargets.id),
    configProfileId: uuid().references(() => configProfiles.id),
    policyBundleId: uuid().references(() => policyBundles.id),
    state: workflowRunState().notNull().default("queued"),
    reason: text(),
    statusCommentId: githubId(),
    checkRunId: githubId(),
    pullRequestNumber: integer(),
    /** Last RuntimeEvent seq handed out; bumped under the row lock so seqs are gapless. */
    lastEventSeq: integer().notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index().on(t.createdAt, t.id),
    index().on(t.state, t.createdAt),
    index().on(t.repositoryId, t.createdAt),
    index().on(t.promptRequestId),
  ],
)

/** Audit log of every lifecycle step (append-only). */
export const workflowRunTransitions = pgTable(
  "workflow_run_transitions",
  {
    id: id(),
    workflowRunId: uuid()
      .notNull()
      .references(() => workflowRuns.id),
    fromState: workflowRunState(),
    toState: workflowRunState().notNull(),
    reason: text(),
    actor: text().notNull(),
    createdAt: createdAt(),
  },
  (t) => [index().on(t.workflowRunId, t.createdAt)],
)

export const runtimeSessions = pgTable(
  "runtime_sessions",
  {
    id: id(),
    workflowRunId: uuid()
      .notNull()
      .references(() => workflowRuns.id),
    adapter: text().notNull(),
    sandboxId: text(),
    workspaceRoot: text(),
    approvalPolicy: text().notNull(),
    sandboxPolicy: text().notNull(),
    timeoutSeconds: integer().notNull(),
    status: text({
      enum: ["starting", "running", "waiting", "completed", "failed", "aborted"],
    })
      .notNull()
      .default("starting"),
    resume: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    /** Model usage so far, summed from modelCalls by the gateway. */
    inputTokens: integer().notNull().default(0),
    outputTokens: integer().notNull().default(0),
    costUsd: doublePrecision().notNull().default(0),
    /** Why the session ended: completed, aborted, budget_exhausted, timeout, error. */
    endReason: text(),
    startedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    endedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index().on(t.workflowRunId)],
)

/** One row per model request the gateway forwarded, with the provider's usage figures. */
export const modelCalls = pgTable(
  "model_calls",
  {
    id: id(),
    workflowRunId: uuid()
      .notNull()
      .references(() => workflowRuns.id),
    runtimeSessionId: uuid().references(() => runtimeSessions.id),
    model: text().notNull(),
    inputTokens: integer().notNull().default(0),
    outputTokens: integer().notNull().default(0),
    costUsd: doublePrecision().notNull().default(0),
    /** HTTP status the provider answered (or the gateway's own refusal). */
    status: integer().notNull(),
    durationMs: integer().notNull(),
    createdAt: createdAt(),
  },
  (t) => [index().on(t.workflowRunId, t.createdAt)],
)

/** Control-plane processes (web, worker): a stable executor id and a heartbeat. */
export const workers = pgTable("workers", {
  executorId: text().primaryKey(),
  roles: jsonb().$type<string[]>().notNull(),
  hostname: text().notNull(),
  pid: integer().notNull(),
  startedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  heartbeatAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  stoppedAt: timestamp({ withTimezone: true }),
  /** Set when a live worker took over this one's pending runs (cleared when it heart-beats again). */
  recoveredAt: timestamp({ withTimezone: true }),
  recoveredBy: text(),
})

/** Operator switches such as the kill switch (`runs.paused`). */
export const controlFlags = pgTable("control_flags", {
  key: text().primaryKey(),
  value: jsonb().$type<unknown>().notNull(),
  updatedBy: text().notNull(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
})

/** Normalized RuntimeEvents, replayable in `seq` order per run (append-only). */
export const runtimeEvents = pgTable(
  "runtime_events",
  {
    id: id(),
    workflowRunId: uuid()
      .notNull()
      .references(() => workflowRuns.id),
    runtimeSessionId: uuid().references(() => runtimeSessions.id),
    seq: integer().notNull(),
    kind: text().notNull(),
    payload: jsonb().$type<RuntimeEventPayload>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [unique().on(t.workflowRunId, t.seq)],
)

/** Something waiting on a human: a runtime approval or a merge/policy approval. */
export const pendingApprovals = pgTable(
  "pending_approvals",
  {
    id: id(),
    workflowRunId: uuid()
      .notNull()
      .references(() => workflowRuns.id),
    runtimeSessionId: uuid().references(() => runtimeSessions.id),
    kind: text({ enum: ["runtime", "merge", "policy"] }).notNull(),
    reason: text().notNull(),
    resolution: text({ enum: ["approved", "rejected"] }),
    resolvedBy: text(),
    createdAt: createdAt(),
    resolvedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index().on(t.workflowRunId, t.resolvedAt)],
)

/** Operator input queued for a running agent: steer (redirect), interrupt, cancel. */
export const pendingInputs = pgTable(
  "pending_inputs",
  {
    id: id(),
    workflowRunId: uuid()
      .notNull()
      .references(() => workflowRuns.id),
    kind: text({ enum: ["steer", "interrupt", "cancel"] }).notNull(),
    message: text(),
    createdBy: text().notNull(),
    createdAt: createdAt(),
    deliveredAt: timestamp({ withTimezone: true }),
  },
  (t) => [index().on(t.workflowRunId, t.deliveredAt)],
)
