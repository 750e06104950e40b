// Rounds: a follow-up run (answering a review, repairing CI) is linked to the
// run before it by an `iterates` provenance edge; the runs linked so form one
// chain, counted as rounds.
import { and, eq, inArray, sql } from "drizzle-orm"
import type { Executor } from "../client.ts"
import { provenanceEdges } from "../schema/index.ts"

/** The chain a run ends, first round first (the run itself last). */
export const roundChain = async (db: Executor, runId: string): Promise<string[]> => {
  const result = await db.execute<{ id: string; depth: number }>(sql`
    WITH RECURSIVE back(id, depth) AS (
      SELECT ${runId}::uuid, 0
      UNION
      SELECT e.from_id, b.depth + 1
      FROM back b
      JOIN provenance_edges e
        ON e.relation = 'iterates' AND e.to_kind = 'workflow_run' AND e.to_id = b.id
      WHERE b.depth < 100
    )
    SELECT id, depth FROM back ORDER BY depth DESC
  `)
  return result.rows.map((row) => String(row.id))
}

/** The whole chain a run belongs to, from its first round to its newest. */
export const roundsAround = async (db: Executor, runId: string): Promise<string[]> => {
  const before = await roundChain(db, runId)
  const after: string[] = []
  let at = runId
  for (let i = 0; i < 100; i++) {
    const [next] = await db
      .select({ id: provenanceEdges.toId })
      .from(provenanceEdges)
      .where(
        and(
          eq(provenanceEdges.relation, "iterates"),
          eq(provenanceEdges.fromKind, "workflow_run"),
          eq(provenanceEdges.fromId, at),
        ),
      )
      .limit(1)
    if (next === undefined) break
    after.push(next.id)
    at = next.id
  }
  return [...before, ...after]
}

/** Links a follow-up to the run before it, once (a redelivered webhook adds nothing). */
export const linkRound = async (
  db: Executor,
  input: {
    readonly previousRunId: string
    readonly runId: string
    readonly round: number
    readonly trigger: string
    readonly detail: Record<string, unknown>
  },
): Promise<void> => {
  const [existing] = await db
    .select({ id: provenanceEdges.id })
    .from(provenanceEdges)
    .where(
      and(
        eq(provenanceEdges.relation, "iterates"),
        eq(provenanceEdges.toKind, "workflow_run"),
        eq(provenanceEdges.toId, input.runId),
      ),
    )
  if (existing !== undefined) return
  await db.insert(provenanceEdges).values({
    fromKind: "workflow_run",
    fromId: input.previousRunId,
    relation: "iterates",
    toKind: "workflow_run",
    toId: input.runId,
    actor: "system",
    data: { round: input.round, trigger: input.trigger, ...input.detail },
  })
}

/** An operator stopped a chain: no review or CI failure starts another round of it. */
export interface RoundsStop {
  readonly runId: string
  readonly actor: string
  readonly at: Date
}

/** Records that `actor` stopped the chain at its newest round `runId` (once). */
export const stopRounds = async (
  db: Executor,
  input: { readonly runId: string; readonly actor: string },
): Promise<void> => {
  if ((await roundsStop(db, input.runId)) !== undefined) return
  await db.insert(provenanceEdges).values({
    fromKind: "workflow_run",
    fromId: input.runId,
    relation: "rounds_stopped",
    toKind: "workflow_run",
    toId: input.runId,
    actor: input.actor,
    data: { by: input.actor },
  })
}

/** Whether an operator stopped the chain `runId` belongs to, and who. */
export const roundsStop = async (db: Executor, runId: string): Promise<RoundsStop | undefined> => {
  const chain = await roundsAround(db, runId)
  const [row] = await db
    .select({
      runId: provenanceEdges.fromId,
      actor: provenanceEdges.actor,
      at: provenanceEdges.createdAt,
    })
    .from(provenanceEdges)
    .where(
      and(
        eq(provenanceEdges.relation, "rounds_stopped"),
        eq(provenanceEdges.fromKind, "workflow_run"),
        inArray(provenanceEdges.fromId, chain),
      ),
    )
    .limit(1)
  return row
}
