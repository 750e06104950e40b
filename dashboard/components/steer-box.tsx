"use client"
// A message box under the timeline, as in Copilot's session view: what you
// type reaches the working agent at its next step (or, while it is paused,
// the prompt it resumes with). Ctrl/⌘+Enter sends. The message is kept when
// sending fails.
import { useState } from "react"
import { apiPost, errorMessage } from "../lib/api.ts"
import { allowedActions } from "../lib/run-states.ts"
import type { SteerBody, WorkflowRunState } from "../lib/api-types.ts"
import { useSession } from "../lib/session-context.tsx"

export function SteerBox({ runId, state }: { runId: string; state: WorkflowRunState }) {
  const { caller } = useSession()
  const [text, setText] = useState("")
  const [busy, setBusy] = useState(false)
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null)
  if (!allowedActions(state, caller.role).includes("steer")) return null

  const send = async () => {
    const message = text.trim()
    if (message === "" || busy) return
    setBusy(true)
    try {
      await apiPost(`/api/runs/${runId}/steer`, { message } satisfies SteerBody)
      setText("")
      setStatus({
        ok: true,
        text:
          state === "awaiting_approval"
            ? "Sent: the agent reads it when you approve."
            : "Sent: the agent reads it at its next step.",
      })
    } catch (failure) {
      setStatus({ ok: false, text: `Not sent: ${errorMessage(failure)}` })
    } finally {
      setBusy(false)
    }
  }

  return (
    <form
      className="steer-box"
      data-testid="steer-box"
      onSubmit={(event) => {
        event.preventDefault()
        void send()
      }}
    >
      <label htmlFor="steer-text">Message the agent</label>
      <textarea
        id="steer-text"
        rows={2}
        value={text}
        placeholder="e.g. Also update the README (Ctrl+Enter to send)"
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
            event.preventDefault()
            void send()
          }
        }}
      />
      <div className="steer-actions">
        <button type="submit" className="button" disabled={busy || text.trim() === ""}>
          {busy ? "Sending…" : "Send"}
        </button>
        <span
          className={status?.ok === false ? "steer-status steer-failed" : "steer-status"}
          role="status"
          aria-live="polite"
        >
          {status?.text ?? ""}
        </span>
      </div>
    </form>
  )
}
