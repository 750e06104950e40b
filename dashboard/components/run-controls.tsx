"use client"
// The human override for one run: cancel, interrupt, approve, reject (with a
// reason), force manual review, redirect (a steering message to the agent)
// and retry. Only what the state and the visitor's role allow is shown; each
// is confirmed; the server checks both again.
import { useRouter } from "next/navigation"
import { useState } from "react"
import { apiPost, errorMessage } from "../lib/api.ts"
import type { RunActionAnswer, RunRow, WorkflowRunState } from "../lib/api-types.ts"
import { allowedActions, type RunAction } from "../lib/run-states.ts"
import { useSession } from "../lib/session-context.tsx"
import { ConfirmDialog, type ConfirmRequest } from "./confirm-dialog.tsx"

interface ActionSpec {
  readonly label: string
  readonly dialog: ConfirmRequest
  /** Which body field the dialog's text goes into. */
  readonly field?: "reason" | "message"
  readonly done: string
}

const SPECS: Record<RunAction, ActionSpec> = {
  steer: {
    label: "Redirect",
    field: "message",
    done: "Message sent to the agent.",
    dialog: {
      title: "Redirect the agent",
      body: "The running agent receives this message as a steering instruction at its next step.",
      confirmLabel: "Send message",
      input: { label: "Message to the agent", required: true, multiline: true },
    },
  },
  interrupt: {
    label: "Interrupt",
    done: "Interrupt sent: the agent stops its current turn and the run waits for an operator.",
    dialog: {
      title: "Interrupt the agent?",
      body: "The agent's current turn stops and the run waits for an operator; Approve lets it continue.",
      confirmLabel: "Interrupt",
      danger: true,
    },
  },
  approve: {
    label: "Approve",
    done: "Approved.",
    dialog: {
      title: "Approve this run?",
      body: "An interrupted agent continues; a decision waiting for a human is settled as approved.",
      confirmLabel: "Approve",
    },
  },
  reject: {
    label: "Reject",
    field: "reason",
    done: "Rejected.",
    dialog: {
      title: "Reject this run?",
      body: "The run is decided as rejected. The reason is recorded and shown on GitHub.",
      confirmLabel: "Reject",
      danger: true,
      input: { label: "Reason", required: true, multiline: true },
    },
  },
  "manual-review": {
    label: "Force manual review",
    field: "reason",
    done: "The run now waits for a human decision.",
    dialog: {
      title: "Force a manual review?",
      body: "Whatever the reviewers score, the run waits for an operator to approve or reject it.",
      confirmLabel: "Require manual review",
      input: { label: "Reason", required: false },
    },
  },
  retry: {
    label: "Retry",
    done: "A new run was started.",
    dialog: {
      title: "Retry this request?",
      body: "A new run of the same request starts from the beginning.",
      confirmLabel: "Retry",
    },
  },
  cancel: {
    label: "Cancel run",
    field: "reason",
    done: "Run cancelled.",
    dialog: {
      title: "Cancel this run?",
      body: "The agent is stopped, its sandbox destroyed, and the run ends as cancelled.",
      confirmLabel: "Cancel run",
      danger: true,
      input: { label: "Reason", required: false },
    },
  },
}

export function RunControls({
  runId,
  state,
  onChanged,
}: {
  runId: string
  state: WorkflowRunState
  onChanged: (run: RunRow | null) => void
}) {
  const { caller } = useSession()
  const router = useRouter()
  const [active, setActive] = useState<RunAction | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [notice, setNotice] = useState("")
  const actions = allowedActions(state, caller.role)
  if (actions.length === 0 && caller.role === "viewer") return null

  const confirm = async (text: string) => {
    if (active === null) return
    const spec = SPECS[active]
    setBusy(true)
    setError(null)
    try {
      const body = spec.field === undefined || text === "" ? {} : { [spec.field]: text }
      const { run } = await apiPost<RunActionAnswer>(`/api/runs/${runId}/${active}`, body)
      setNotice(spec.done)
      setActive(null)
      if (active === "retry" && run.id !== runId) router.push(`/runs/${run.id}`)
      else onChanged(run)
    } catch (failure) {
      setError(errorMessage(failure))
      onChanged(null)
    } finally {
      setBusy(false)
    }
  }

  return (
    <section className="controls" aria-labelledby="controls-heading">
      <h2 id="controls-heading" className="visually-hidden">
        Controls
      </h2>
      {actions.length === 0 ? (
        <p className="muted">No control applies to a {state.replace("_", " ")} run.</p>
      ) : (
        <div className="control-buttons" role="group" aria-label="Run controls">
          {actions.map((action) => (
            <button
              key={action}
              type="button"
              className={`button ${action === "cancel" || action === "reject" ? "button-danger" : action === "approve" ? "button-primary" : ""}`}
              data-action={action}
              onClick={() => {
                setError(null)
                setActive(action)
              }}
            >
              {SPECS[action].label}
            </button>
          ))}
        </div>
      )}
      <p className="control-notice" role="status" aria-live="polite">
        {notice}
      </p>
      <ConfirmDialog
        request={active === null ? null : SPECS[active].dialog}
        busy={busy}
        error={error}
        onConfirm={(text) => void confirm(text)}
        onCancel={() => setActive(null)}
      />
    </section>
  )
}
