"use client"
// The rounds a run belongs to (answering reviews, repairing CI) as one chain,
// and what CI triage found on them: flaky failures, repairs, stops.
import Link from "next/link"
import { useEffect, useState } from "react"
import { apiGet, errorMessage } from "../lib/api.ts"
import type { RunRounds } from "../lib/api-types.ts"
import { shortId } from "../lib/format.ts"
import { StateBadge } from "./state-badge.tsx"
import { Failure, Loading } from "./states.tsx"

const CI_OUTCOME: Record<string, string> = {
  "rerun-requested": "failed; re-running once",
  flaky: "flaky: failed, passed on re-run (no tokens spent)",
  failed: "failed twice",
  "repair-started": "failed twice; a repair round started",
  stopped: "failed again; the chain stopped",
}

export function RoundsView({ runId, version }: { runId: string; version: string }) {
  const [data, setData] = useState<RunRounds | null>(null)
  const [error, setError] = useState<string | null>(null)
  const load = () =>
    apiGet<RunRounds>(`/api/runs/${runId}/rounds`)
      .then((answer) => {
        setData(answer)
        setError(null)
      })
      .catch((failure: unknown) => setError(errorMessage(failure)))
  useEffect(() => {
    void load()
  }, [runId, version])
  if (error !== null)
    return <Failure title="Could not load the rounds" message={error} onRetry={() => void load()} />
  if (data === null) return <Loading label="Loading the rounds…" />
  return (
    <div data-testid="rounds">
      {data.rounds.length <= 1 ? (
        <p className="muted">One round: no review or CI failure has started a follow-up.</p>
      ) : (
        <ol className="rounds">
          {data.rounds.map((round) => (
            <li key={round.id} aria-current={round.id === runId ? "true" : undefined}>
              Round {round.round}:{" "}
              {round.id === runId ? (
                <span className="mono">{shortId(round.id)}</span>
              ) : (
                <Link href={`/runs/${round.id}`} className="mono">
                  {shortId(round.id)}
                </Link>
              )}{" "}
              <StateBadge state={round.state} />
              {round.reason === null ? null : <span className="muted"> {round.reason}</span>}
            </li>
          ))}
        </ol>
      )}
      {data.ci.length === 0 ? null : (
        <ul className="ci-triage">
          {data.ci.map((t) => (
            <li
              key={`${t.runId}-${t.headSha}-${t.workflow}-${t.outcome}`}
              data-ci-outcome={t.outcome}
            >
              CI “{t.workflow}” on <code>{t.headSha.slice(0, 7)}</code>:{" "}
              {CI_OUTCOME[t.outcome] ?? t.outcome}
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
