"use client"
// A live stream from the control plane (Server-Sent Events). The browser
// reconnects by itself (the server asks for 1 s) and resumes a run's events
// from the last id it saw; the hook reports whether the stream is live. When
// the server says it is stopping, the page says so instead of "Live"; an
// answer other than 200 (the server starting or stopping: 503) makes the
// browser give up, so the hook tries again itself every few seconds.
import { useEffect, useRef, useState } from "react"

export type StreamStatus = "connecting" | "live" | "reconnecting" | "stopped"

const RETRY_MS = 3_000

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
    let source: EventSource | null = null
    let retry: ReturnType<typeof setTimeout> | undefined
    let serverStopped = false
    const connect = () => {
      const next = new EventSource(url, { withCredentials: true })
      source = next
      next.addEventListener("open", () => {
        serverStopped = false
        setStatus("live")
      })
      next.addEventListener("shutdown", () => {
        serverStopped = true
        setStatus("stopped")
      })
      next.addEventListener("error", () => {
        if (!serverStopped) setStatus("reconnecting")
        if (next.readyState === EventSource.CLOSED) retry = setTimeout(connect, RETRY_MS)
      })
      for (const name of names.split(","))
        next.addEventListener(name, (event: MessageEvent<string>) => {
          try {
            current.current[name]?.(JSON.parse(event.data), event.lastEventId)
          } catch {
            // A malformed frame is skipped; the next state refresh corrects the view.
          }
        })
    }
    setStatus("connecting")
    connect()
    return () => {
      clearTimeout(retry)
      source?.close()
    }
  }, [url, names])
  return status
}
