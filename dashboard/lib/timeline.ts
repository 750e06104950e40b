// Turns a run's RuntimeEvents into timeline items: a tool call is folded with
// its result into one item (read as one line: `bash: npm test · 0.9 s · exit
// 0`), turn edges are kept apart so the view can fold them, session edges
// become markers, failures stand out.
import type { RuntimeEventRow } from "./api-types.ts"

export type TimelineItem =
  | { kind: "message"; seq: number; at: string; role: string; text: string }
  | {
      kind: "tool"
      seq: number
      at: string
      tool: string
      toolCallId: string
      args: Record<string, unknown>
      result: { ok: boolean; output: string; truncated: boolean; at: string } | null
    }
  | { kind: "marker"; seq: number; at: string; text: string }
  /** A turn's start or end: noise while reading, kept for those who want it. */
  | { kind: "turn"; seq: number; at: string; text: string }
  | { kind: "approval"; seq: number; at: string; reason: string }
  | { kind: "artifact"; seq: number; at: string; name: string; ref: string }
  | { kind: "error"; seq: number; at: string; text: string }

export const buildTimeline = (events: ReadonlyArray<RuntimeEventRow>): TimelineItem[] => {
  const items: TimelineItem[] = []
  const tools = new Map<string, Extract<TimelineItem, { kind: "tool" }>>()
  for (const event of events) {
    const p = event.payload
    const base = { seq: event.seq, at: event.createdAt }
    switch (p.kind) {
      case "message":
        items.push({ ...base, kind: "message", role: p.role, text: p.text })
        break
      case "tool.requested": {
        const item = {
          ...base,
          kind: "tool" as const,
          tool: p.tool,
          toolCallId: p.toolCallId,
          args: p.args,
          result: null,
        }
        tools.set(p.toolCallId, item)
        items.push(item)
        break
      }
      case "tool.completed": {
        const result = { ok: p.ok, output: p.output, truncated: p.truncated, at: event.createdAt }
        const open = tools.get(p.toolCallId)
        if (open !== undefined) open.result = result
        else
          items.push({
            ...base,
            kind: "tool",
            tool: p.tool,
            toolCallId: p.toolCallId,
            args: {},
            result,
          })
        break
      }
      case "session.started":
        items.push({
          ...base,
          kind: "marker",
          text: `Session started (${p.model === undefined ? p.adapter : `${p.adapter} · ${p.model}`})`,
        })
        break
      case "turn.started":
        items.push({ ...base, kind: "turn", text: `Turn ${p.turn} started` })
        break
      case "turn.completed": {
        const usage = p.usage
        const tokens =
          usage === undefined ? "" : ` · ${usage.inputTokens + usage.outputTokens} tokens`
        items.push({ ...base, kind: "turn", text: `Turn ${p.turn} completed${tokens}` })
        break
      }
      case "turn.failed":
        // An operator's interrupt or cancel aborts the turn: what happened, not a failure.
        if (/^aborted\b/i.test(p.error))
          items.push({ ...base, kind: "marker", text: `Turn ${p.turn} stopped by an operator` })
        else items.push({ ...base, kind: "error", text: `Turn ${p.turn} failed: ${p.error}` })
        break
      case "approval.required":
        items.push({ ...base, kind: "approval", reason: p.reason })
        break
      case "artifact.emitted":
        items.push({ ...base, kind: "artifact", name: p.name, ref: p.ref })
        break
      case "session.terminated":
        if (p.reason === "completed" || p.reason === "aborted")
          items.push({
            ...base,
            kind: "marker",
            text: `Session ${p.reason}${p.detail ? `: ${p.detail}` : ""}`,
          })
        else
          items.push({
            ...base,
            kind: "error",
            text: `Session ended: ${p.reason}${p.detail ? ` (${p.detail})` : ""}`,
          })
        break
      default:
        items.push({ ...base, kind: "marker", text: event.kind })
    }
  }
  return items
}

type ToolItem = Extract<TimelineItem, { kind: "tool" }>

const text = (value: unknown): string | null =>
  typeof value === "string" && value.trim() !== "" ? value : null

/** What a tool call was about, in a few words: the command, or the file. */
export const toolSubject = (item: ToolItem): string => {
  const { args } = item
  const subject =
    text(args.command) ??
    text(args.path) ??
    text(args.file_path) ??
    text(args.pattern) ??
    text(args.url) ??
    (Object.keys(args).length === 0 ? "" : JSON.stringify(args))
  const line = subject.split("\n")[0] ?? ""
  return line.length > 100 ? `${line.slice(0, 99)}…` : line
}

/**
 * How a finished tool call ended: a shell command's exit code (Pi and Claude
 * Code both say "exit code N" on failure), otherwise ok or failed.
 */
export const toolEnding = (item: ToolItem): string | null => {
  const result = item.result
  if (result === null) return null
  const shell = item.tool === "bash" || item.tool === "Bash"
  if (result.ok) return shell ? "exit 0" : "ok"
  const code = /exit(?:ed with)? code:? (\d+)/i.exec(result.output)?.[1]
  return code === undefined ? "failed" : `exit ${code}`
}

/** Milliseconds from the call to its result; null while it runs. */
export const toolDurationMs = (item: ToolItem): number | null =>
  item.result === null ? null : Math.max(0, Date.parse(item.result.at) - Date.parse(item.at))
