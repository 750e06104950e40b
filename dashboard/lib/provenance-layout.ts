// Places the provenance graph for drawing: one band per run (retries stack
// below each other), and inside a band one column per step of the lineage,
// left to right: request → run → session → patch set → reviews → decision →
// rollback. Bands keep 50+ nodes readable; the view opens on the current run.
import type { GraphEdge, GraphNode } from "./api-types.ts"

export const COLUMN: Record<string, number> = {
  prompt_request: 0,
  workflow_run: 1,
  run_context: 2,
  runtime_session: 2,
  patch_set: 3,
  review_run: 4,
  merge_decision: 5,
  rollback: 6,
}

export const NODE_WIDTH = 210
export const NODE_HEIGHT = 64
const COLUMN_GAP = 60
const ROW_GAP = 14
const BAND_GAP = 40

export interface PlacedNode extends GraphNode {
  readonly x: number
  readonly y: number
  /** The run whose band the node sits in (null for the request). */
  readonly runId: string | null
}

const columnX = (kind: string) => (COLUMN[kind] ?? 7) * (NODE_WIDTH + COLUMN_GAP)

const byTime = (a: GraphNode, b: GraphNode) => (a.createdAt ?? "").localeCompare(b.createdAt ?? "")

export const layoutProvenance = (
  nodes: ReadonlyArray<GraphNode>,
  edges: ReadonlyArray<GraphEdge>,
): PlacedNode[] => {
  const incoming = new Map<string, string[]>()
  for (const edge of edges) incoming.set(edge.to, [...(incoming.get(edge.to) ?? []), edge.from])
  const kindOf = new Map(nodes.map((node) => [node.id, node.kind]))
  // The run a node belongs to: follow edges backwards until a run.
  const runOf = new Map<string, string | null>()
  const findRun = (id: string, seen = new Set<string>()): string | null => {
    if (runOf.has(id)) return runOf.get(id) ?? null
    if (kindOf.get(id) === "workflow_run") return id
    if (seen.has(id)) return null
    seen.add(id)
    for (const parent of incoming.get(id) ?? []) {
      const run = findRun(parent, seen)
      if (run !== null) {
        runOf.set(id, run)
        return run
      }
    }
    runOf.set(id, null)
    return null
  }
  const runs = nodes.filter((n) => n.kind === "workflow_run").toSorted(byTime)
  const placed: PlacedNode[] = []
  let top = 0
  for (const run of runs) {
    const members = nodes.filter((n) => n.kind !== "prompt_request" && findRun(n.id) === run.id)
    const columns = new Map<number, GraphNode[]>()
    for (const node of members.toSorted(byTime)) {
      const column = COLUMN[node.kind] ?? 7
      columns.set(column, [...(columns.get(column) ?? []), node])
    }
    const rows = Math.max(1, ...[...columns.values()].map((c) => c.length))
    const bandHeight = rows * (NODE_HEIGHT + ROW_GAP)
    for (const column of columns.values()) {
      // Center short columns in the band so edges stay short.
      const offset = ((rows - column.length) * (NODE_HEIGHT + ROW_GAP)) / 2
      column.forEach((node, index) =>
        placed.push({
          ...node,
          x: columnX(node.kind),
          y: top + offset + index * (NODE_HEIGHT + ROW_GAP),
          runId: run.id,
        }),
      )
    }
    top += bandHeight + BAND_GAP
  }
  const placedIds = new Set(placed.map((n) => n.id))
  const rest = nodes.filter((n) => !placedIds.has(n.id))
  const requestY = Math.max(0, (top - BAND_GAP - NODE_HEIGHT) / 2)
  rest.forEach((node, index) =>
    placed.push({
      ...node,
      x: columnX(node.kind),
      y: node.kind === "prompt_request" ? requestY : top + index * (NODE_HEIGHT + ROW_GAP),
      runId: null,
    }),
  )
  return placed
}
