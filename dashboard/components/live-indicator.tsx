import type { StreamStatus } from "../lib/use-event-source.ts"

const TEXT: Record<StreamStatus, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  stopped: "Server stopped; reconnecting…",
}

/** Whether the page is receiving live updates. */
export function LiveIndicator({ status }: { status: StreamStatus }) {
  return (
    <span className={`live live-${status}`} role="status" aria-live="polite" data-testid="live">
      <span className="live-dot" aria-hidden="true" />
      {TEXT[status]}
    </span>
  )
}
