"use client"
// Every control is confirmed in a modal dialog (the native <dialog>: focus is
// moved in and trapped, Escape cancels, focus returns to the opener).
import { type FormEvent, useEffect, useId, useRef, useState } from "react"

export interface ConfirmRequest {
  readonly title: string
  readonly body: string
  readonly confirmLabel: string
  readonly danger?: boolean
  /** Ask for text (a reason or a message); `required` refuses an empty one. */
  readonly input?: {
    readonly label: string
    readonly required: boolean
    readonly multiline?: boolean
  }
}

export function ConfirmDialog({
  request,
  busy,
  error,
  onConfirm,
  onCancel,
}: {
  request: ConfirmRequest | null
  busy: boolean
  error: string | null
  onConfirm: (text: string) => void
  onCancel: () => void
}) {
  const dialog = useRef<HTMLDialogElement>(null)
  const [text, setText] = useState("")
  const titleId = useId()
  const bodyId = useId()
  const inputId = useId()
  useEffect(() => {
    const element = dialog.current
    if (element === null) return
    if (request !== null && !element.open) {
      setText("")
      element.showModal()
    } else if (request === null && element.open) element.close()
  }, [request])
  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (request?.input?.required && text.trim() === "") return
    onConfirm(text.trim())
  }
  return (
    <dialog
      ref={dialog}
      className="dialog"
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      onCancel={(event) => {
        event.preventDefault()
        if (!busy) onCancel()
      }}
    >
      {request === null ? null : (
        <form onSubmit={submit}>
          <h2 id={titleId}>{request.title}</h2>
          <p id={bodyId}>{request.body}</p>
          {request.input === undefined ? null : (
            <div className="field">
              <label htmlFor={inputId}>
                {request.input.label}
                {request.input.required ? "" : " (optional)"}
              </label>
              {request.input.multiline ? (
                <textarea
                  id={inputId}
                  value={text}
                  rows={4}
                  required={request.input.required}
                  onChange={(event) => setText(event.target.value)}
                  autoFocus
                />
              ) : (
                <input
                  id={inputId}
                  value={text}
                  required={request.input.required}
                  onChange={(event) => setText(event.target.value)}
                  autoFocus
                />
              )}
            </div>
          )}
          {error === null ? null : (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
          <div className="dialog-actions">
            <button type="button" className="button" onClick={onCancel} disabled={busy}>
              Cancel
            </button>
            <button
              type="submit"
              className={`button ${request.danger ? "button-danger" : "button-primary"}`}
              disabled={busy || (request.input?.required === true && text.trim() === "")}
              autoFocus={request.input === undefined}
            >
              {busy ? "Working…" : request.confirmLabel}
            </button>
          </div>
        </form>
      )}
    </dialog>
  )
}
