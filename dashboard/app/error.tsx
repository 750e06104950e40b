"use client"
// A page that failed to render says so and offers a retry, instead of a blank screen.
export default function PageError({ error, reset }: { error: Error; reset: () => void }) {
  return (
    <div className="state state-error" role="alert">
      <p className="state-title">This page failed.</p>
      <p className="state-body">{error.message}</p>
      <button type="button" className="button" onClick={reset}>
        Try again
      </button>
    </div>
  )
}
