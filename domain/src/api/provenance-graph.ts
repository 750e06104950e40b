// GET /api/runs/:id/provenance: a run's lineage as the dashboard draws it.
import { Schema } from "effect"

export const GraphNode = Schema.Struct({
  id: Schema.String,
  kind: Schema.String,
  label: Schema.String,
  detail: Schema.String,
  /** ISO 8601; the graph builder renders it (null when the record has none). */
  createdAt: Schema.NullOr(Schema.String),
  /** The run the page is about. */
  current: Schema.Boolean,
})
export type GraphNode = typeof GraphNode.Type

/** An edge of that graph; `derived` when implied by the records' references, not recorded. */
export const GraphEdge = Schema.Struct({
  id: Schema.String,
  from: Schema.String,
  to: Schema.String,
  relation: Schema.String,
  actor: Schema.NullOr(Schema.String),
  derived: Schema.Boolean,
})
export type GraphEdge = typeof GraphEdge.Type

export const ProvenanceGraph = Schema.Struct({
  nodes: Schema.Array(GraphNode),
  edges: Schema.Array(GraphEdge),
})
export type ProvenanceGraph = typeof ProvenanceGraph.Type
