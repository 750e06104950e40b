// Append-only lineage: request → run → session → patch set → reviews →
// decision → rollback. Nodes are the records themselves, named by kind + id.
import { Schema } from "effect"
import { Id, JsonObject, Timestamp } from "./primitives.ts"

export const ProvenanceNodeKind = Schema.Literals([
  "prompt_request",
  "workflow_run",
  "runtime_session",
  "patch_set",
  "review_run",
  "merge_decision",
  "rollback",
])
export type ProvenanceNodeKind = typeof ProvenanceNodeKind.Type

export const ProvenanceNode = Schema.Struct({ kind: ProvenanceNodeKind, id: Id })
export type ProvenanceNode = typeof ProvenanceNode.Type

export const ProvenanceRelation = Schema.Literals([
  "started", // prompt_request → workflow_run
  "executed", // workflow_run → runtime_session
  "produced", // runtime_session → patch_set
  "reviewed", // patch_set → review_run
  "informed", // review_run → merge_decision
  "decided", // workflow_run → merge_decision
  "rolled_back", // merge_decision → rollback
  "transitioned", // workflow_run → workflow_run (a lifecycle step, details in `data`)
])
export type ProvenanceRelation = typeof ProvenanceRelation.Type

export const ProvenanceEdge = Schema.Struct({
  id: Id,
  from: ProvenanceNode,
  to: ProvenanceNode,
  relation: ProvenanceRelation,
  /** Who caused it: "system", a GitHub login or a dashboard user id. */
  actor: Schema.String,
  data: JsonObject,
  createdAt: Timestamp,
})
export type ProvenanceEdge = typeof ProvenanceEdge.Type
