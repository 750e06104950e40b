"use client"
// What runs cost over a date range: model tokens and dollars per repository,
// per initiator and per UTC day, with the cost per decided run (all spend in
// the line divided by the runs that reached a decision).
import { useCallback, useEffect, useState } from "react"
import { apiGet, errorMessage } from "../lib/api.ts"
import type { UsageLine, UsageReport } from "../lib/api-types.ts"
import { tokenCount, usd } from "../lib/format.ts"
import { Empty, Failure, Loading } from "./states.tsx"

const DAY_MS = 86_400_000
const day = (date: Date) => date.toISOString().slice(0, 10)

function UsageTable({
  caption,
  keyLabel,
  lines,
}: {
  caption: string
  keyLabel: string
  lines: ReadonlyArray<UsageLine>
}) {
  return (
    <div className="table-scroll">
      <table className="usage" data-testid={`usage-${keyLabel.toLowerCase()}`}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{keyLabel}</th>
            <th scope="col">Runs</th>
            <th scope="col">Decided</th>
            <th scope="col">Model calls</th>
            <th scope="col">Tokens in</th>
            <th scope="col">Tokens out</th>
            <th scope="col">Cost</th>
            <th scope="col">Per decided run</th>
          </tr>
        </thead>
        <tbody>
          {lines.map((line) => (
            <tr key={line.key} data-key={line.key}>
              <th scope="row">{line.key}</th>
              <td>{line.runs}</td>
              <td>{line.decidedRuns}</td>
              <td>{line.calls}</td>
              <td title={line.inputTokens.toLocaleString("en-US")}>
                {tokenCount(line.inputTokens)}
              </td>
              <td title={line.outputTokens.toLocaleString("en-US")}>
                {tokenCount(line.outputTokens)}
              </td>
              <td className="cell-cost">{usd(line.costUsd)}</td>
              <td className="cell-cost">
                {line.costPerDecidedRun === null ? "—" : usd(line.costPerDecidedRun)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

export function UsageView() {
  const [to, setTo] = useState(() => day(new Date()))
  const [from, setFrom] = useState(() => day(new Date(Date.now() - 29 * DAY_MS)))
  const [report, setReport] = useState<UsageReport | null>(null)
  const [error, setError] = useState<string | null>(null)

  const load = useCallback(async () => {
    try {
      setReport(await apiGet<UsageReport>(`/api/usage?${new URLSearchParams({ from, to })}`))
      setError(null)
    } catch (failure) {
      setError(errorMessage(failure))
    }
  }, [from, to])
  useEffect(() => {
    void load()
  }, [load])

  return (
    <div className="usage-view">
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          From <input type="date" value={from} max={to} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          To <input type="date" value={to} min={from} onChange={(e) => setTo(e.target.value)} />
        </label>
      </form>
      {error !== null ? (
        <Failure title="Could not load usage" message={error} onRetry={() => void load()} />
      ) : report === null ? (
        <Loading label="Loading usage…" />
      ) : report.total.calls === 0 ? (
        <Empty title="No model calls in this range." />
      ) : (
        <>
          <p className="usage-total" data-testid="usage-total">
            <strong>{usd(report.total.costUsd)}</strong> for{" "}
            {tokenCount(report.total.inputTokens + report.total.outputTokens)} tokens in{" "}
            {report.total.calls} model calls over {report.total.runs} runs
            {report.total.costPerDecidedRun === null
              ? null
              : `, ${usd(report.total.costPerDecidedRun)} per decided run`}
            .
          </p>
          <UsageTable caption="By repository" keyLabel="Repository" lines={report.byRepository} />
          <UsageTable caption="By initiator" keyLabel="Initiator" lines={report.byInitiator} />
          <UsageTable caption="By day (UTC)" keyLabel="Day" lines={report.byDay} />
        </>
      )}
    </div>
  )
}
