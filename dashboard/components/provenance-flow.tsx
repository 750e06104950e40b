"use client"
// The provenance graph drawn with React Flow: one band per run, columns
// request → run → session → patch set → reviews → decision → rollback. It
// opens on the current run's band; pan, zoom, the minimap and the keyboard
// (Tab to a node) reach the rest. Edges the records imply but no layer
// recorded are dashed.
import {
  Background,
  Controls,
  type Edge,
  Handle,
  MiniMap,
  type Node,
  type NodeProps,
  Position,
  ReactFlow,
  type ReactFlowInstance,
} from "@xyflow/react"
// oxlint-disable-next-line import/no-unassigned-import -- React Flow's styles
import "@xyflow/react/dist/style.css"
import { useEffect, useMemo, useRef } from "react"
import type { ProvenanceGraph } from "../lib/api-types.ts"
import {
  layoutProvenance,
  NODE_HEIGHT,
  NODE_WIDTH,
  type PlacedNode,
} from "../lib/provenance-layout.ts"

type LineageNode = Node<{ node: PlacedNode }, "lineage">

function LineageCard({ data }: NodeProps<LineageNode>) {
  const node = data.node
  return (
    <div
      className={`flow-node flow-${node.kind}${node.current ? " flow-current" : ""}`}
      style={{ width: NODE_WIDTH, height: NODE_HEIGHT }}
      title={node.detail}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <strong>{node.label}</strong>
      <span className="flow-detail">{node.detail}</span>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  )
}

const nodeTypes = { lineage: LineageCard }

const KIND_COLOR: Record<string, string> = {
  prompt_request: "#6366f1",
  workflow_run: "#0ea5e9",
  run_context: "#64748b",
  runtime_session: "#14b8a6",
  patch_set: "#f59e0b",
  review_run: "#a855f7",
  merge_decision: "#22c55e",
  rollback: "#ef4444",
}

export default function ProvenanceFlow({ graph }: { graph: ProvenanceGraph }) {
  const { nodes, edges, focus } = useMemo(() => {
    const placed = layoutProvenance(graph.nodes, graph.edges)
    const current = placed.find((n) => n.current)
    const flowNodes: LineageNode[] = placed.map((node) => ({
      id: node.id,
      type: "lineage",
      position: { x: node.x, y: node.y },
      data: { node },
      // Known sizes: fitting the view and the minimap need no measuring pass.
      width: NODE_WIDTH,
      height: NODE_HEIGHT,
      draggable: false,
      ariaLabel: `${node.label}: ${node.detail}`,
    }))
    const flowEdges: Edge[] = graph.edges.map((edge) => ({
      id: edge.id,
      source: edge.from,
      target: edge.to,
      label: edge.relation,
      animated: false,
      style: edge.derived ? { strokeDasharray: "5 4" } : {},
      labelStyle: { fontSize: 10 },
    }))
    // Open on the current run's band (with the request when there is one run).
    const runs = placed.filter((n) => n.kind === "workflow_run").length
    const focusIds = placed
      .filter((n) => n.runId === current?.runId || (runs === 1 && n.kind === "prompt_request"))
      .map((n) => ({ id: n.id }))
    return { nodes: flowNodes, edges: flowEdges, focus: focusIds }
  }, [graph])

  // As the run goes on, new nodes (patch set, reviews, decision) come into view:
  // the view fits again whenever the graph grows, not only when it first opens.
  const flow = useRef<ReactFlowInstance<LineageNode> | null>(null)
  const shown = useRef(nodes.length)
  useEffect(() => {
    if (nodes.length === shown.current) return
    shown.current = nodes.length
    // After React Flow has placed the new nodes.
    const frame = requestAnimationFrame(
      () => void flow.current?.fitView({ nodes: focus, padding: 0.15, maxZoom: 1, duration: 200 }),
    )
    return () => cancelAnimationFrame(frame)
  }, [nodes.length, focus])

  return (
    <div className="flow-frame" data-testid="provenance-graph">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        fitView
        onInit={(instance) => {
          flow.current = instance
        }}
        colorMode="system"
        fitViewOptions={{ nodes: focus, padding: 0.15, maxZoom: 1 }}
        minZoom={0.1}
        nodesConnectable={false}
        nodesDraggable={false}
        elementsSelectable
        aria-label="Provenance graph"
      >
        <Background gap={24} />
        <Controls showInteractive={false} />
        <MiniMap
          pannable
          zoomable
          nodeColor={(node) => KIND_COLOR[(node as LineageNode).data.node.kind] ?? "#94a3b8"}
          ariaLabel="Provenance graph overview"
        />
      </ReactFlow>
    </div>
  )
}
