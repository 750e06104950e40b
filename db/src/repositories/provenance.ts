// Append-only provenance edges and the lineage walk over them.
import { desc, eq, sql } from "drizzle-orm"
import type { Executor } from "../client.ts"
import { one } from "./one.ts"
import { mergeDecisions, provenanceEdges } from "../schema/index.ts"

export type ProvenanceEdgeRow = typeof provenanceEdges.$inferSelect
export type NewProvenanceEdge = Omit<typeof provenanceEdges.$inferInsert, "id" | "createdAt">

export const appendProvenanceEdge = async (
  db: Executor,
  edge: NewProvenanceEdge,
): Promise<ProvenanceEdgeRow> => {
  return one(await db.insert(provenanceEdges).values(edge).returning(), "appendProvenanceEdge")
}

/**
 * Every edge reachable from a node, following edges in both directions
 * (request → run → session → patch set → reviews → decision → rollback).
 */
export const lineageOf = async (
  db: Executor,
  node: { kind: string; id: string },
): Promise<ProvenanceEdgeRow[]> => {
  const result = await db.execute<Record<string, unknown>>(sql`
    WITH RECURSIVE reach(kind, id) AS (
      SELECT ${node.kind}::text, ${node.id}::uuid
      UNION
      SELECT CASE WHEN e.from_kind = r.kind AND e.from_id = r.id THEN e.to_kind ELSE e.from_kind END,
             CASE WHEN e.from_kind = r.kind AND e.from_id = r.id THEN e.to_id ELSE e.from_id END
      FROM reach r
      JOIN provenance_edges e
        ON (e.from_kind = r.kind AND e.from_id = r.id) OR (e.to_kind = r.kind AND e.to_id = r.id)
    )
    SELECT DISTINCT e.id FROM provenance_edges e
    JOIN reach r ON e.from_kind = r.kind AND e.from_id = r.id
  `)
  const ids = result.rows.map((row) => String(row.id))
  if (ids.length === 0) return []
  return db
    .select()
    .from(provenanceEdges)
    .where(sql`${provenanceEdges.id} IN ${ids}`)
    .orderBy(provenanceEdges.createdAt, provenanceEdges.id)
}

/**
 * A rollback node for a revert request: the decision that let the PR through
 * is rolled back, and the rollback starts the revert's PromptRequest (the
 * rollback is named by that request's id).
 */
export const recordRollback = async (
  db: Executor,
  promptRequestId: string,
  target: { pullRequestNumber: number; mergeCommitSha: string; workflowRunId: string },
): Promise<void> => {
  const [decision] = await db
    .select({ id: mergeDecisions.id })
    .from(mergeDecisions)
    .where(eq(mergeDecisions.workflowRunId, target.workflowRunId))
    .orderBy(desc(mergeDecisions.createdAt), desc(mergeDecisions.id))
    .limit(1)
  const data = {
    pullRequestNumber: target.pullRequestNumber,
    mergeCommitSha: target.mergeCommitSha,
  }
  await db.insert(provenanceEdges).values([
    {
      fromKind: decision === undefined ? "workflow_run" : "merge_decision",
      fromId: decision?.id ?? target.workflowRunId,
      relation: "rolled_back",
      toKind: "rollback",
      toId: promptRequestId,
      actor: "system",
      data,
    },
    {
      fromKind: "rollback",
      fromId: promptRequestId,
      relation: "started",
      toKind: "prompt_request",
      toId: promptRequestId,
      actor: "system",
      data,
    },
  ])
}
