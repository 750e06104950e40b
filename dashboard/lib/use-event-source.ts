"use client"
// A live stream from the control plane (Server-Sent Events). The browser
// reconnects by itself (the server asks for 1 s) and resumes a run's events
// from the last id it saw; the hook reports whether the stream is live.
import { useEffect, useRef, useState } from "react"

export type StreamStatus = "connecting" | "live" | "reconnecting"

export const useEventSource = (
  url: string | null,
  handlers: Record<string, (data: unknown, id: string) => void>,
): StreamStatus => {
  const [status, setStatus] = useState<StreamStatus>("connecting")
  // Handlers change every render; the stream should not.
  const current = useRef(handlers)
  current.current = handlers
  const names = Object.keys(handlers).toSorted().join(",")
  useEffect(() => {
    if (url === null) return
    const source = new EventSource(url, { withCredentials: true })
    setStatus("connecting")
    source.addEventListener("open", () => setStatus("live"))
    // The browser retries by itself after an error.
    source.addEventListener("error", () => setStatus("reconnecting"))
    const listeners = names.split(",").map((name) => {
      const listener = (event: MessageEvent<string>) => {
        try {
          current.current[name]?.(JSON.parse(event.data), event.lastEventId)
        } catch {
          // A malformed frame is skipped; the next state refresh corrects the view.
        }
      }
      source.addEventListener(name, listener)
      return [name, listener] as const
    })
    return () => {
      for (const [name, listener] of listeners) source.removeEventListener(name, listener)
      source.close()
    }
  }, [url, names])
  return status
}
