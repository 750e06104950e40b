"use client"
// The rounds a run belongs to (answering reviews, repairing CI) as one chain,
// and what CI triage found on them: flaky failures, repairs, stops. A reviewer
// can stop the chain here: no review or CI failure starts another round.
import Link from "next/link"
import { useState } from "react"
import { apiPost, errorMessage } from "../lib/api.ts"
import type { RunRounds } from "../lib/api-types.ts"
import { shortId, tokenCount, usd } from "../lib/format.ts"
import { useSession } from "../lib/session-context.tsx"
import { useRunResource } from "../lib/use-run-resource.ts"
import { ConfirmDialog, type ConfirmRequest } from "./confirm-dialog.tsx"
import { StateBadge } from "./state-badge.tsx"
import { Failure, Loading } from "./states.tsx"

const CI_OUTCOME: Record<string, string> = {
  "rerun-requested": "failed; re-running once",
  flaky: "flaky: failed, passed on re-run (no tokens spent)",
  failed: "failed twice",
  "repair-started": "failed twice; a repair round started",
  stopped: "failed again; the chain stopped",
}

const STOP: ConfirmRequest = {
  title: "Stop the rounds on this pull request?",
  body:
    "No review or CI failure will start another round. The newest round gets a " +
    "manual-review decision, and a human decides.",
  confirmLabel: "Stop the rounds",
  danger: true,
}

export function RoundsView({ runId, version }: { runId: string; version: string }) {
  const { caller } = useSession()
  const {
    data,
    error,
    reload: load,
  } = useRunResource<RunRounds>(`/api/runs/${runId}/rounds`, version)
  const [asking, setAsking] = useState(false)
  const [busy, setBusy] = useState(false)
  const [stopError, setStopError] = useState<string | null>(null)
  const stop = async () => {
    setBusy(true)
    setStopError(null)
    try {
      await apiPost(`/api/runs/${runId}/stop-rounds`)
      setAsking(false)
      await load()
    } catch (failure) {
      setStopError(errorMessage(failure))
    } finally {
      setBusy(false)
    }
  }
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
              <StateBadge state={round.state} />{" "}
              <span className="round-cost" data-testid="round-cost">
                {usd(round.costUsd)} · {tokenCount(round.tokens)} tokens
              </span>
              {round.reason === null ? null : <span className="muted"> {round.reason}</span>}
            </li>
          ))}
        </ol>
      )}
      {data.rounds.length <= 1 ? null : (
        <p className="rounds-total" data-testid="rounds-total">
          The {data.rounds.length} rounds cost{" "}
          {usd(data.rounds.reduce((sum, round) => sum + round.costUsd, 0))} (
          {tokenCount(data.rounds.reduce((sum, round) => sum + round.tokens, 0))} tokens).
        </p>
      )}
      {data.stopped !== null ? (
        <p className="rounds-stopped" data-testid="rounds-stopped">
          Stopped by {data.stopped.by}: no review or CI failure starts another round.
        </p>
      ) : caller.role === "viewer" ? null : (
        <button
          type="button"
          className="button button-danger"
          data-action="stop-rounds"
          onClick={() => {
            setStopError(null)
            setAsking(true)
          }}
        >
          Stop the rounds
        </button>
      )}
      <ConfirmDialog
        request={asking ? STOP : null}
        busy={busy}
        error={stopError}
        onConfirm={() => void stop()}
        onCancel={() => setAsking(false)}
      />
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
