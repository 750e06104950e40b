// Reads PatchPlane's live-event stream as a dashboard tab would, reporting
// when each runtime event (by seq) arrives: the SSE scenarios' one client.

/** Reads an SSE response as the local operator (this start's token) until `stop` aborts. */
export const watch = async (
  url: string,
  token: string,
  onEvent: (seq: number) => void,
  stop: AbortSignal,
) => {
  try {
    const res = await fetch(url, { signal: stop, headers: { authorization: `Bearer ${token}` } })
    const reader = res.body?.getReader()
    if (!reader) return
    const decoder = new TextDecoder()
    let buffer = ""
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return
      buffer += decoder.decode(value, { stream: true })
      let end: number
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const frame = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const id = /^id: (\d+)$/m.exec(frame)?.[1]
        if (id !== undefined && frame.includes("event: runtime-event")) onEvent(Number(id))
      }
    }
  } catch {
    // aborted at the end of the scenario
  }
}
