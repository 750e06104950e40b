"use client"
// The agent's work as it happens: messages, tool calls on one line each
// (expand for the arguments and output), approvals and errors; turn markers
// only on request.
import { useEffect, useRef, useState } from "react"
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

const time = (iso: string) => new Date(iso).toLocaleTimeString("en", { hour12: false })

function Item({ item }: { item: TimelineItem }) {
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
}

export function TimelineView({
  events,
  live,
}: {
  events: ReadonlyArray<RuntimeEventRow>
  live: boolean
}) {
  const all = buildTimeline(events)
  const [turns, setTurns] = useState(false)
  const items = turns ? all : all.filter((item) => item.kind !== "turn")
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
        <ol className="timeline" data-testid="timeline">
          {items.map((item) => (
            <Item key={item.seq} item={item} />
          ))}
        </ol>
      </div>
    </div>
  )
}
