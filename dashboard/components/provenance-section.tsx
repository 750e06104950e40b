"use client"
// Loads the run's provenance graph and shows it drawn (React Flow) and, for
// screen readers and quick scanning, as a list.
import dynamic from "next/dynamic"
import type { ProvenanceGraph } from "../lib/api-types.ts"
import { useRunResource } from "../lib/use-run-resource.ts"
import { Empty, Failure, Loading } from "./states.tsx"

const ProvenanceFlow = dynamic(() => import("./provenance-flow.tsx"), {
  ssr: false,
  loading: () => <Loading label="Drawing the graph…" />,
})

export function ProvenanceSection({ runId, version }: { runId: string; version: string }) {
  // `version` changes when the run gains records (state, patch sets, reviews).
  const {
    data: graph,
    error,
    reload,
  } = useRunResource<ProvenanceGraph>(`/api/runs/${runId}/provenance`, version)
  if (error !== null)
    return (
      <Failure
        title="Could not load the provenance graph"
        message={error}
        onRetry={() => void reload()}
      />
    )
  if (graph === null) return <Loading label="Loading the provenance graph…" />
  if (graph.nodes.length === 0) return <Empty title="No lineage recorded yet." />
  const label = new Map(graph.nodes.map((n) => [n.id, n.label]))
  return (
    <>
      <ProvenanceFlow graph={graph} />
      <details className="graph-list">
        <summary>
          The graph as a list ({graph.nodes.length} nodes, {graph.edges.length} edges)
        </summary>
        <ul>
          {graph.edges.map((edge) => (
            <li key={edge.id}>
              {label.get(edge.from)} —{edge.relation}→ {label.get(edge.to)}
              {edge.derived ? " (implied by the records)" : edge.actor ? ` (by ${edge.actor})` : ""}
            </li>
          ))}
        </ul>
      </details>
    </>
  )
}
