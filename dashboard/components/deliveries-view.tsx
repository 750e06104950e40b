"use client"
// Recent webhook deliveries (event, repository, outcome, error), newest
// first; an admin can replay a failed one. The first page refreshes itself.
import { useCallback, useEffect, useState } from "react"
import { apiGet, apiPost, errorMessage } from "../lib/api.ts"
import type { Delivery, DeliveryPage, ReplayAnswer } from "../lib/api-types.ts"
import { dateTime, shortId } from "../lib/format.ts"
import { roleAtLeast } from "../lib/run-states.ts"
import { useSession } from "../lib/session-context.tsx"
import { ConfirmDialog } from "./confirm-dialog.tsx"
import { Empty, Failure, Loading } from "./states.tsx"

const OUTCOMES = ["received", "processed", "ignored", "refused", "failed"] as const

export function DeliveriesView() {
  const { caller } = useSession()
  const [outcome, setOutcome] = useState("")
  const [cursors, setCursors] = useState<ReadonlyArray<string>>([""])
  const cursor = cursors[cursors.length - 1] ?? ""
  const [page, setPage] = useState<DeliveryPage | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [replaying, setReplaying] = useState<Delivery | null>(null)
  const [busy, setBusy] = useState(false)
  const [replayError, setReplayError] = useState<string | null>(null)
  const [notice, setNotice] = useState("")
  const admin = roleAtLeast(caller.role, "admin")

  const load = useCallback(async () => {
    const params = new URLSearchParams({ limit: "50" })
    if (outcome !== "") params.set("outcome", outcome)
    if (cursor !== "") params.set("cursor", cursor)
    try {
      setPage(await apiGet<DeliveryPage>(`/api/deliveries?${params}`))
      setError(null)
    } catch (failure) {
      setError(errorMessage(failure))
    }
  }, [outcome, cursor])
  useEffect(() => {
    void load()
    if (cursor !== "") return
    const timer = setInterval(() => void load(), 5_000)
    return () => clearInterval(timer)
  }, [load, cursor])

  const replay = async () => {
    if (replaying === null) return
    setBusy(true)
    setReplayError(null)
    try {
      const result = await apiPost<ReplayAnswer>(`/api/deliveries/${replaying.deliveryId}/replay`)
      setNotice(result.message)
      setReplaying(null)
      void load()
    } catch (failure) {
      setReplayError(errorMessage(failure))
    } finally {
      setBusy(false)
    }
  }

  return (
    <>
      <div className="filters">
        <div className="field field-inline">
          <label htmlFor="delivery-outcome">Outcome</label>
          <select
            id="delivery-outcome"
            value={outcome}
            onChange={(event) => {
              setOutcome(event.target.value)
              setCursors([""])
            }}
          >
            <option value="">Any outcome</option>
            {OUTCOMES.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </div>
      </div>
      <p role="status" aria-live="polite" className="control-notice">
        {notice}
      </p>
      {error !== null ? (
        <Failure title="Could not load deliveries" message={error} onRetry={() => void load()} />
      ) : page === null ? (
        <Loading label="Loading deliveries…" />
      ) : page.deliveries.length === 0 ? (
        <Empty title={outcome === "" ? "No webhook deliveries yet." : `No ${outcome} deliveries.`}>
          Deliveries appear here as GitHub sends events to <code>/api/github/webhooks</code>.
        </Empty>
      ) : (
        <>
          <div className="table-scroll">
            <table className="deliveries">
              <caption className="visually-hidden">Webhook deliveries, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Received</th>
                  <th scope="col">Event</th>
                  <th scope="col">Repository</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Detail</th>
                  <th scope="col">Request</th>
                  {admin ? <th scope="col">Replay</th> : null}
                </tr>
              </thead>
              <tbody>
                {page.deliveries.map((d) => (
                  <tr key={d.id} data-delivery={d.deliveryId}>
                    <td>
                      <time dateTime={d.receivedAt}>{dateTime(d.receivedAt)}</time>
                    </td>
                    <td>
                      {d.event}
                      {d.action ? `.${d.action}` : ""}
                    </td>
                    <td>{d.repositoryFullName ?? "—"}</td>
                    <td>
                      <span className={`outcome outcome-${d.outcome}`}>{d.outcome}</span>
                    </td>
                    {/* The note of a processed or ignored delivery is not an error: only failures are red. */}
                    <td className={d.outcome === "failed" ? "cell-error" : "cell-note"}>
                      {d.error ?? ""}
                    </td>
                    <td className="mono">
                      {d.promptRequestId === null ? "" : shortId(d.promptRequestId)}
                    </td>
                    {admin ? (
                      <td>
                        {d.outcome === "failed" && d.promptRequestId === null ? (
                          <button
                            type="button"
                            className="button"
                            onClick={() => {
                              setReplayError(null)
                              setReplaying(d)
                            }}
                          >
                            Replay
                          </button>
                        ) : null}
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav className="pager" aria-label="Pages">
            <button
              type="button"
              className="button"
              disabled={cursors.length < 2}
              onClick={() => setCursors(cursors.slice(0, -1))}
            >
              ← Newer
            </button>
            <button
              type="button"
              className="button"
              disabled={page.nextCursor === null}
              onClick={() => setCursors([...cursors, page.nextCursor ?? ""])}
            >
              Older →
            </button>
          </nav>
        </>
      )}
      <ConfirmDialog
        request={
          replaying === null
            ? null
            : {
                title: "Replay this delivery?",
                body: `GitHub sends ${replaying.event} delivery ${replaying.deliveryId} again and PatchPlane redoes its work. A delivery that already produced a request never makes a second one.`,
                confirmLabel: "Replay",
              }
        }
        busy={busy}
        error={replayError}
        onConfirm={() => void replay()}
        onCancel={() => setReplaying(null)}
      />
    </>
  )
}
