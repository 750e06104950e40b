"use client"
// What this run has spent on models, against its budget: tokens and dollars
// from the calls the gateway recorded, with a bar for the larger share.

import type { RunUsage } from "../lib/api-types.ts"
import { tokenCount, usd } from "../lib/format.ts"
import { useRunResource } from "../lib/use-run-resource.ts"

const share = (used: number, allowed: number | null) =>
  allowed === null || allowed <= 0 ? 0 : Math.min(1, used / allowed)

export function RunUsageFacts({ runId, version }: { runId: string; version: string }) {
  const { data } = useRunResource<RunUsage>(`/api/runs/${runId}/usage`, version)
  if (data === null) return null
  const tokens = data.inputTokens + data.outputTokens
  const used = Math.max(share(tokens, data.maxTokens), share(data.costUsd, data.maxCostUsd))
  return (
    <div data-testid="run-usage">
      <dt>Cost</dt>
      <dd>
        <span data-testid="run-cost">{usd(data.costUsd)}</span>
        {data.maxCostUsd === null ? null : (
          <span className="muted"> of {usd(data.maxCostUsd)}</span>
        )}
        {" · "}
        <span
          title={`${data.inputTokens.toLocaleString("en-US")} in, ${data.outputTokens.toLocaleString("en-US")} out`}
        >
          {tokenCount(tokens)} tokens
        </span>
        {data.maxTokens === null ? null : (
          <span className="muted"> of {tokenCount(data.maxTokens)}</span>
        )}
        {" · "}
        {data.calls} model {data.calls === 1 ? "call" : "calls"}
        <meter
          className="budget"
          min={0}
          max={1}
          low={0.7}
          high={0.9}
          optimum={0}
          value={used}
          aria-label={`Budget used: ${Math.round(used * 100)}%`}
        />
      </dd>
    </div>
  )
}
