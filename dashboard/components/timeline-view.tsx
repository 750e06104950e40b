"use client"
// The agent's work as it happens: messages, tool calls on one line each
// (expand for the arguments and output), approvals and errors; turn markers
// only on request.
import { memo, useEffect, useMemo, useRef, useState } from "react"
import { errorMessage } from "../lib/api.ts"
import type { RuntimeEventRow } from "../lib/api-types.ts"
import { duration } from "../lib/format.ts"
import {
  buildTimeline,
  type TimelineItem,
  toolDurationMs,
  toolEnding,
  toolSubject,
} from "../lib/timeline.ts"
import { Empty } from "./states.tsx"

// One formatter for every item: toLocaleTimeString with options builds a new one per call
// (about a millisecond each, which a long timeline pays hundreds of times per render).
const TIME = new Intl.DateTimeFormat("en", {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hour12: false,
})
const time = (iso: string) => TIME.format(new Date(iso))

/** How many of the newest items are drawn at first, and how many more each "earlier" click adds. */
const WINDOW = 200
const MORE = 500

const Item = memo(function Item({ item }: { item: TimelineItem }) {
  switch (item.kind) {
    case "message":
      return (
        <li className={`tl tl-message tl-${item.role}`}>
          <span className="tl-meta">
            <time dateTime={item.at}>{time(item.at)}</time> {item.role}
          </span>
          <p className="tl-text">{item.text}</p>
        </li>
      )
    case "tool": {
      const state = item.result === null ? "running" : item.result.ok ? "ok" : "failed"
      const spent = toolDurationMs(item)
      const subject = toolSubject(item)
      return (
        <li className={`tl tl-tool tl-tool-${state}`}>
          <details>
            <summary>
              <span className="tl-meta">
                <time dateTime={item.at}>{time(item.at)}</time>
              </span>{" "}
              <span className="tl-call">
                <strong>{item.tool}</strong>
                {subject === "" ? null : (
                  <>
                    : <code className="tl-subject">{subject}</code>
                  </>
                )}
                {spent === null ? null : <> · {duration(spent)}</>}
              </span>{" "}
              <span className={`tl-status tl-status-${state}`}>
                {toolEnding(item) ?? "running…"}
              </span>
            </summary>
            <div className="tl-body">
              <h4>Arguments</h4>
              <pre>{JSON.stringify(item.args, null, 2)}</pre>
              <h4>Output{item.result?.truncated ? " (truncated)" : ""}</h4>
              <pre>
                {item.result === null ? "(no output yet)" : item.result.output || "(empty)"}
              </pre>
            </div>
          </details>
        </li>
      )
    }
    case "approval":
      return (
        <li className="tl tl-approval">
          <span className="tl-meta">
            <time dateTime={item.at}>{time(item.at)}</time>
          </span>{" "}
          Approval required: {item.reason}
        </li>
      )
    case "artifact":
      return (
        <li className="tl tl-marker">
          <time dateTime={item.at}>{time(item.at)}</time> Artifact {item.name}:{" "}
          <code>{item.ref}</code>
        </li>
      )
    case "error":
      return (
        <li className="tl tl-error" role="note">
          <time dateTime={item.at}>{time(item.at)}</time> {item.text}
        </li>
      )
    default:
      return (
        <li className="tl tl-marker">
          <time dateTime={item.at}>{time(item.at)}</time> {item.text}
        </li>
      )
  }
})

export function TimelineView({
  events,
  live,
  unloaded = 0,
  loadEarlier,
}: {
  events: ReadonlyArray<RuntimeEventRow>
  live: boolean
  /** Earlier events of the run the page has not loaded (it loads the newest). */
  unloaded?: number
  /** Loads the page of events before the earliest loaded one. */
  loadEarlier?: () => Promise<void>
}) {
  const all = useMemo(() => buildTimeline(events), [events])
  const [turns, setTurns] = useState(false)
  const listed = useMemo(
    () => (turns ? all : all.filter((item) => item.kind !== "turn")),
    [all, turns],
  )
  // A long run (thousands of events) draws its newest items; earlier ones on request.
  const [shown, setShown] = useState(WINDOW)
  const [loading, setLoading] = useState(false)
  const [failed, setFailed] = useState<string | null>(null)
  const hidden = Math.max(0, listed.length - shown)
  const items = hidden === 0 ? listed : listed.slice(hidden)
  const notShown = hidden + unloaded
  const earlier = async () => {
    // Drawn ones first; the next page from the server once those run short.
    if (hidden < MORE && unloaded > 0 && loadEarlier !== undefined) {
      setLoading(true)
      setFailed(null)
      try {
        await loadEarlier()
      } catch (failure) {
        setFailed(`Could not load earlier events: ${errorMessage(failure)}`)
        return
      } finally {
        setLoading(false)
      }
    }
    setShown((n) => n + MORE)
  }
  const box = useRef<HTMLDivElement>(null)
  const [follow, setFollow] = useState(true)
  // Keep the newest event in view inside the timeline's own scroll area.
  useEffect(() => {
    if (follow && box.current !== null) box.current.scrollTop = box.current.scrollHeight
  }, [items.length, follow])
  if (all.length === 0)
    return (
      <Empty title={live ? "No agent activity yet." : "The agent did not run."}>
        {live ? "Events appear here as the agent works." : null}
      </Empty>
    )
  return (
    <div className="timeline-wrap">
      <div className="timeline-options">
        <label>
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} />{" "}
          Follow new events
        </label>
        <label>
          <input type="checkbox" checked={turns} onChange={(e) => setTurns(e.target.checked)} />{" "}
          Show turn markers
        </label>
      </div>
      {/* Focusable so keyboard users can scroll it. */}
      <div className="timeline-box" ref={box} tabIndex={0} aria-label="Agent timeline, scrollable">
        {notShown === 0 ? null : (
          <button
            type="button"
            className="button button-quiet timeline-earlier"
            disabled={loading}
            onClick={() => void earlier()}
          >
            {loading
              ? "Loading earlier events…"
              : `Show earlier events (${notShown.toLocaleString("en")} not shown)`}
          </button>
        )}
        {failed === null ? null : (
          <p className="steer-failed" role="alert">
            {failed}
          </p>
        )}
        <ol className="timeline" data-testid="timeline">
          {items.map((item) => (
            <Item key={item.seq} item={item} />
          ))}
        </ol>
      </div>
    </div>
  )
}
