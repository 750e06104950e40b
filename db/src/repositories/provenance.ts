// Append-only provenance edges and the lineage walk over them.
import { sql } from "drizzle-orm"
import type { Executor } from "../client.ts"
import { one } from "./one.ts"
import { provenanceEdges } from "../schema/index.ts"

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
