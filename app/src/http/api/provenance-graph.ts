// The provenance graph of a run as the dashboard draws it: nodes with a label
// and edges request → run (→ what it saw) → session → patch set → reviews →
// decision → rollback. Recorded edges come from provenanceEdges; where a layer does not
// record its edge yet, the link implied by the records' own references is
// added and marked `derived`, so the picture is complete and honest about it.
import type { provenanceRecords } from "@patchplane/db"
import type { Api } from "@patchplane/domain"

type Records = NonNullable<Awaited<ReturnType<typeof provenanceRecords>>>

const short = (id: string) => id.slice(0, 8)
const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null)
const pct = (score: number) => `${Math.round(score * 100)}%`

export const buildProvenanceGraph = (records: Records, currentRunId: string) => {
  const nodes = new Map<string, Api.GraphNode>()
  const add = (node: Omit<Api.GraphNode, "current">) =>
    nodes.set(node.id, { ...node, current: node.id === currentRunId })
  if (records.request !== null)
    add({
      id: records.request.id,
      kind: "prompt_request",
      label: "Request",
      detail: `${records.request.initiatorLogin ?? "someone"}: ${records.request.prompt}`,
      createdAt: iso(records.request.createdAt),
    })
  for (const run of records.runs)
    add({
      id: run.id,
      kind: "workflow_run",
      label: `Run ${short(run.id)}`,
      detail: run.state,
      createdAt: iso(run.createdAt),
    })
  for (const session of records.sessions)
    add({
      id: session.id,
      kind: "runtime_session",
      label: `Session ${short(session.id)}`,
      detail: `${session.adapter} · ${session.status}`,
      createdAt: iso(session.createdAt),
    })
  for (const patch of records.patches) {
    const summary = patch.diffSummary as {
      filesChanged?: number
      additions?: number
      deletions?: number
    }
    add({
      id: patch.id,
      kind: "patch_set",
      label: `Patch set ${short(patch.id)}`,
      detail: `${summary.filesChanged ?? 0} files +${summary.additions ?? 0} −${summary.deletions ?? 0}`,
      createdAt: iso(patch.createdAt),
    })
  }
  for (const review of records.reviews)
    add({
      id: review.id,
      kind: "review_run",
      label: `Review: ${review.reviewer}`,
      detail: `${review.passed ? "passed" : "failed"} · ${pct(review.score)}`,
      createdAt: iso(review.createdAt),
    })
  for (const decision of records.decisions)
    add({
      id: decision.id,
      kind: "merge_decision",
      label: `Decision ${short(decision.id)}`,
      detail: `${decision.state} · ${pct(decision.weightedScore)} · by ${decision.decidedBy}`,
      createdAt: iso(decision.createdAt),
    })

  const edges = new Map<string, Api.GraphEdge>()
  for (const edge of records.edges) {
    // Rollbacks are nodes only the edge knows about.
    if (!nodes.has(edge.toId) && edge.toKind === "rollback")
      add({
        id: edge.toId,
        kind: "rollback",
        label: `Rollback ${short(edge.toId)}`,
        detail: `by ${edge.actor}`,
        createdAt: iso(edge.createdAt),
      })
    // What the agent saw: the run's stored context, known by its edge.
    if (!nodes.has(edge.toId) && edge.toKind === "run_context")
      add({
        id: edge.toId,
        kind: "run_context",
        label: "What the agent saw",
        detail: `${String(edge.data.totalChars ?? 0)} characters · ${String(edge.data.digest ?? "").slice(0, 12)}`,
        createdAt: iso(edge.createdAt),
      })
    if (!nodes.has(edge.fromId) || !nodes.has(edge.toId)) continue
    const key = `${edge.fromId}>${edge.toId}`
    if (!edges.has(key))
      edges.set(key, {
        id: edge.id,
        from: edge.fromId,
        to: edge.toId,
        relation: edge.relation,
        actor: edge.actor,
        derived: false,
      })
  }
  // Only a node nothing recorded leads to gets an implied edge.
  const reached = new Set([...edges.values()].map((edge) => edge.to))
  const derive = (from: string | null, to: string, relation: string) => {
    if (from === null || !nodes.has(from) || reached.has(to)) return
    const key = `${from}>${to}`
    edges.set(key, { id: `derived:${key}`, from, to, relation, actor: null, derived: true })
  }
  if (records.request !== null)
    for (const run of records.runs) derive(records.request.id, run.id, "started")
  for (const session of records.sessions) derive(session.workflowRunId, session.id, "executed")
  for (const patch of records.patches)
    derive(patch.runtimeSessionId ?? patch.workflowRunId, patch.id, "produced")
  for (const review of records.reviews) derive(review.patchSetId, review.id, "reviewed")
  for (const decision of records.decisions) derive(decision.workflowRunId, decision.id, "decided")
  return { nodes: [...nodes.values()], edges: [...edges.values()] }
}
