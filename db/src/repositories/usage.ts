// What runs cost: tokens and dollars from the model calls the gateway
// recorded (model_calls), per run with its budget, and a report per
// repository, initiator and day. Aggregated in PostgreSQL.
import { eq, inArray, sql } from "drizzle-orm"
import type { Api } from "@patchplane/domain"
import type { Executor } from "../client.ts"
import { modelCalls, policyBundles, workflowRuns } from "../schema/index.ts"

const budgetOf = (spec: unknown, key: string): number | null => {
  const value = (spec as { budgets?: Record<string, unknown> } | null)?.budgets?.[key]
  return typeof value === "number" ? value : null
}

export const runUsage = async (db: Executor, runId: string): Promise<Api.RunUsage> => {
  const [row] = await db
    .select({
      inputTokens: sql<number>`coalesce((select sum(${modelCalls.inputTokens}) from ${modelCalls} where ${modelCalls.workflowRunId} = ${workflowRuns.id}), 0)::float8`,
      outputTokens: sql<number>`coalesce((select sum(${modelCalls.outputTokens}) from ${modelCalls} where ${modelCalls.workflowRunId} = ${workflowRuns.id}), 0)::float8`,
      costUsd: sql<number>`coalesce((select sum(${modelCalls.costUsd}) from ${modelCalls} where ${modelCalls.workflowRunId} = ${workflowRuns.id}), 0)::float8`,
      calls: sql<number>`(select count(*) from ${modelCalls} where ${modelCalls.workflowRunId} = ${workflowRuns.id})::int`,
      spec: policyBundles.spec,
    })
    .from(workflowRuns)
    .leftJoin(policyBundles, eq(policyBundles.id, workflowRuns.policyBundleId))
    .where(eq(workflowRuns.id, runId))
  return {
    inputTokens: row?.inputTokens ?? 0,
    outputTokens: row?.outputTokens ?? 0,
    costUsd: row?.costUsd ?? 0,
    calls: row?.calls ?? 0,
    maxTokens: budgetOf(row?.spec, "maxTokens"),
    maxCostUsd: budgetOf(row?.spec, "maxCostUsd"),
  }
}

/** Tokens and dollars of each of `runIds` (the rounds of a chain), in one query; absent runs cost 0. */
export const costOfRuns = async (
  db: Executor,
  runIds: ReadonlyArray<string>,
): Promise<Map<string, { readonly tokens: number; readonly costUsd: number }>> => {
  if (runIds.length === 0) return new Map()
  const rows = await db
    .select({
      runId: modelCalls.workflowRunId,
      tokens: sql<number>`sum(${modelCalls.inputTokens} + ${modelCalls.outputTokens})::float8`,
      costUsd: sql<number>`sum(${modelCalls.costUsd})::float8`,
    })
    .from(modelCalls)
    .where(inArray(modelCalls.workflowRunId, [...runIds]))
    .groupBy(modelCalls.workflowRunId)
  return new Map(rows.map((row) => [row.runId, { tokens: row.tokens, costUsd: row.costUsd }]))
}

type Grouping = "repository" | "initiator" | "day" | "total"

const keyExpression = (grouping: Grouping) =>
  grouping === "repository"
    ? sql`r.full_name`
    : grouping === "initiator"
      ? sql`coalesce(p.initiator_login, 'dashboard')`
      : grouping === "day"
        ? sql`to_char(c.created_at at time zone 'UTC', 'YYYY-MM-DD')`
        : sql`'total'`

const lines = async (
  db: Executor,
  grouping: Grouping,
  from: Date,
  to: Date,
): Promise<ReadonlyArray<Api.UsageLine>> => {
  const key = keyExpression(grouping)
  const result = await db.execute<{
    key: string
    runs: number
    decided_runs: number
    calls: number
    input_tokens: number
    output_tokens: number
    cost_usd: number
  }>(sql`
    select ${key} as key,
           count(distinct c.workflow_run_id)::int as runs,
           count(distinct c.workflow_run_id) filter (where w.state = 'decided')::int as decided_runs,
           count(*)::int as calls,
           coalesce(sum(c.input_tokens), 0)::float8 as input_tokens,
           coalesce(sum(c.output_tokens), 0)::float8 as output_tokens,
           coalesce(sum(c.cost_usd), 0)::float8 as cost_usd
    from model_calls c
    join workflow_runs w on w.id = c.workflow_run_id
    join prompt_requests p on p.id = w.prompt_request_id
    join repositories r on r.id = w.repository_id
    where c.created_at >= ${from.toISOString()} and c.created_at < ${to.toISOString()}
    group by 1
    order by ${grouping === "day" ? sql`1 desc` : sql`7 desc, 1`}`)
  return result.rows.map((row) => ({
    key: row.key,
    runs: row.runs,
    decidedRuns: row.decided_runs,
    calls: row.calls,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    costUsd: row.cost_usd,
    costPerDecidedRun: row.decided_runs === 0 ? null : row.cost_usd / row.decided_runs,
  }))
}

const EMPTY: Api.UsageLine = {
  key: "total",
  runs: 0,
  decidedRuns: 0,
  calls: 0,
  inputTokens: 0,
  outputTokens: 0,
  costUsd: 0,
  costPerDecidedRun: null,
}

/** Model spend between `from` (inclusive) and `to` (exclusive), by when each call was made. */
export const usageReport = async (db: Executor, from: Date, to: Date): Promise<Api.UsageReport> => {
  const [total, byRepository, byInitiator, byDay] = await Promise.all([
    lines(db, "total", from, to),
    lines(db, "repository", from, to),
    lines(db, "initiator", from, to),
    lines(db, "day", from, to),
  ])
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    total: total[0] ?? EMPTY,
    byRepository,
    byInitiator,
    byDay,
  }
}
