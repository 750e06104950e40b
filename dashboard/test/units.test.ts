// The dashboard's pure pieces: diff parsing for Monaco, the timeline fold,
// the provenance layout, which controls a role sees, sign-in helpers, and
// when `npm start` must rebuild.
import { mkdir, mkdtemp, rm, utimes, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { roleFromWorkOS, safeReturnTo } from "../../app/src/http/auth/workos-session.ts"
import { buildState } from "../build.ts"
import type {
  GraphEdge,
  GraphNode,
  RuntimeEventRow,
  TransitionRow,
  WorkflowRunState,
} from "../lib/api-types.ts"
import { duration } from "../lib/format.ts"
import { layoutProvenance } from "../lib/provenance-layout.ts"
import { stageTimes } from "../lib/run-stages.ts"
import { allowedActions } from "../lib/run-states.ts"
import {
  buildTimeline,
  type TimelineItem,
  toolDurationMs,
  toolEnding,
  toolSubject,
} from "../lib/timeline.ts"
import {
  diffSides,
  editorLineFor,
  GAP,
  languageFor,
  parseUnifiedDiff,
} from "../lib/unified-diff.ts"
import { DEMO_DIFF } from "./demo-steps.ts"

const event = (seq: number, payload: Record<string, unknown>): RuntimeEventRow => ({
  id: `e${seq}`,
  seq,
  kind: String(payload.kind),
  payload: payload as RuntimeEventRow["payload"],
  createdAt: new Date(1_700_000_000_000 + seq * 1000).toISOString(),
})

const node = (id: string, kind: string, at: number, current = false): GraphNode => ({
  id,
  kind,
  label: id,
  detail: "",
  createdAt: new Date(at).toISOString(),
  current,
})

const edge = (from: string, to: string): GraphEdge => ({
  id: `${from}-${to}`,
  from,
  to,
  relation: "x",
  actor: null,
  derived: false,
})

describe("unified diffs", () => {
  it("splits files and rebuilds both sides with their real line numbers", () => {
    const files = parseUnifiedDiff(DEMO_DIFF)
    expect(files.map((f) => f.newPath)).toEqual(["src/greet.ts", "README.md"])
    const sides = diffSides(files[0]!)
    expect(sides.original.split("\n")).toEqual([
      "export function greet(name: string): string {",
      '  return "Hello " + name',
      "}",
      "",
      "export const shout = (text: string) => text.toUpperCase()",
    ])
    expect(sides.modifiedNumbers).toEqual([1, 2, 3, 4, 5, 6])
    expect(editorLineFor(sides, 3)).toBe(3)
    expect(editorLineFor(sides, 99)).toBeNull()
  })

  it("marks the unchanged stretch between hunks, handles new, deleted and binary files", () => {
    const diff = [
      "diff --git a/a.txt b/a.txt",
      "--- a/a.txt",
      "+++ b/a.txt",
      "@@ -10,2 +10,2 @@ context",
      "-old ten",
      "+new ten",
      " eleven",
      "@@ -40,1 +40,2 @@",
      " forty",
      "+forty-one",
      "diff --git a/new.md b/new.md",
      "new file mode 100644",
      "--- /dev/null",
      "+++ b/new.md",
      "@@ -0,0 +1 @@",
      "+hello",
      "\\ No newline at end of file",
      "diff --git a/gone.txt b/gone.txt",
      "deleted file mode 100644",
      "--- a/gone.txt",
      "+++ /dev/null",
      "@@ -1 +0,0 @@",
      "--- a line that starts with dashes",
      "diff --git a/logo.png b/logo.png",
      "Binary files a/logo.png and b/logo.png differ",
      "",
    ].join("\n")
    const [a, created, gone, logo] = parseUnifiedDiff(diff)
    const sides = diffSides(a!)
    expect(sides.modified.split("\n")).toEqual([
      GAP,
      "new ten",
      "eleven",
      GAP,
      "forty",
      "forty-one",
    ])
    expect(sides.modifiedNumbers).toEqual([null, 10, 11, null, 40, 41])
    expect(sides.originalNumbers).toEqual([null, 10, 11, null, 40])
    expect(created).toMatchObject({ oldPath: null, newPath: "new.md" })
    expect(diffSides(created!).modified).toBe("hello")
    expect(gone).toMatchObject({ oldPath: "gone.txt", newPath: null })
    expect(diffSides(gone!).original).toBe("-- a line that starts with dashes")
    expect(logo?.binary).toBe(true)
    expect(languageFor("src/x.tsx")).toBe("typescript")
    expect(languageFor("Dockerfile")).toBe("dockerfile")
    expect(languageFor("notes.unknown")).toBe("plaintext")
  })
})

/** A tool call's one line, as its parts. */
const toolLine = (item: Extract<TimelineItem, { kind: "tool" }>) => [
  toolSubject(item),
  toolDurationMs(item),
  toolEnding(item),
]

describe("timeline", () => {
  it("folds each tool call with its output and flags failures", () => {
    const items = buildTimeline([
      event(1, { kind: "session.started", adapter: "pi" }),
      event(2, { kind: "tool.requested", toolCallId: "a", tool: "bash", args: { command: "ls" } }),
      event(3, { kind: "message", role: "assistant", text: "looking" }),
      event(4, {
        kind: "tool.completed",
        toolCallId: "a",
        tool: "bash",
        ok: false,
        output: "denied",
        truncated: false,
      }),
      event(5, { kind: "turn.failed", turn: 1, error: "model timeout" }),
      event(6, { kind: "session.terminated", reason: "budget_exhausted", detail: "tokens" }),
    ])
    expect(items.map((i) => i.kind)).toEqual(["marker", "tool", "message", "error", "error"])
    expect(items[1]).toMatchObject({ tool: "bash", result: { ok: false, output: "denied" } })
  })

  it("reads a tool call as one line: what, how long, how it ended", () => {
    const [ok, failed, read] = buildTimeline([
      event(1, {
        kind: "tool.requested",
        toolCallId: "a",
        tool: "bash",
        args: { command: "npm test" },
      }),
      event(2, {
        kind: "tool.completed",
        toolCallId: "a",
        tool: "bash",
        ok: true,
        output: "",
        truncated: false,
      }),
      event(3, {
        kind: "tool.requested",
        toolCallId: "b",
        tool: "bash",
        args: { command: "false\nmore" },
      }),
      event(5, {
        kind: "tool.completed",
        toolCallId: "b",
        tool: "bash",
        ok: false,
        output: "\n\nCommand exited with code 2",
        truncated: false,
      }),
      event(6, {
        kind: "tool.requested",
        toolCallId: "c",
        tool: "read",
        args: { path: "src/a.ts" },
      }),
    ]) as Array<Extract<TimelineItem, { kind: "tool" }>>
    expect(ok && toolLine(ok)).toEqual(["npm test", 1000, "exit 0"])
    expect(failed && toolLine(failed)).toEqual(["false", 2000, "exit 2"])
    expect(read && toolLine(read)).toEqual(["src/a.ts", null, null])
  })

  it("keeps turn edges apart so the page can fold them", () => {
    const kinds = buildTimeline([
      event(1, { kind: "turn.started", turn: 1 }),
      event(2, { kind: "message", role: "assistant", text: "hi" }),
      event(3, { kind: "turn.completed", turn: 1 }),
    ]).map((i) => i.kind)
    expect(kinds).toEqual(["turn", "message", "turn"])
  })
})

const at = (second: number) => new Date(1_700_000_000_000 + second * 1000).toISOString()

const move = (
  second: number,
  fromState: WorkflowRunState | null,
  toState: WorkflowRunState,
): TransitionRow => ({
  id: `t${second}`,
  fromState,
  toState,
  reason: null,
  actor: "workflow",
  createdAt: at(second),
})

describe("durations", () => {
  it("says spans of time as people do", () => {
    expect([900, 42_000, 185_000, 7_800_000].map(duration)).toEqual([
      "0.9 s",
      "42 s",
      "3 m 05 s",
      "2 h 10 m",
    ])
  })

  it("shows an interrupted agent paused in its own stage, not past review", () => {
    const transitions = [
      move(0, null, "queued"),
      move(1, "queued", "provisioning"),
      move(3, "provisioning", "running"),
      move(13, "running", "awaiting_approval"),
    ]
    const paused = stageTimes("awaiting_approval", transitions, Date.parse(at(20)))
    expect(paused).toMatchObject({
      current: 2,
      paused: true,
      approvalReached: false,
      totalMs: 20_000,
    })
    expect([...paused.spent]).toEqual([
      [0, 1000],
      [1, 2000],
      [2, 17_000],
    ])
    // Approved: the agent goes on in the same stage, then the run moves along.
    const resumed = [
      ...transitions,
      move(30, "awaiting_approval", "running"),
      move(40, "running", "collecting"),
      move(41, "collecting", "reviewing"),
      move(50, "reviewing", "decided"),
    ]
    const decided = stageTimes("decided", resumed, Date.parse(at(99)))
    expect(decided).toMatchObject({
      current: 6,
      paused: false,
      approvalReached: false,
      totalMs: 50_000,
    })
    expect(decided.spent.get(2)).toBe(37_000)
  })
})

describe("provenance layout", () => {
  it("puts each run in its own band, lineage left to right", () => {
    const nodes = [
      node("req", "prompt_request", 0),
      node("r1", "workflow_run", 1),
      node("s1", "runtime_session", 2),
      node("r2", "workflow_run", 3, true),
      node("p2", "patch_set", 4),
      node("v2", "review_run", 5),
    ]
    const edges = [
      edge("req", "r1"),
      edge("r1", "s1"),
      edge("req", "r2"),
      edge("r2", "p2"),
      edge("p2", "v2"),
    ]
    const placed = new Map(layoutProvenance(nodes, edges).map((n) => [n.id, n]))
    expect(placed.get("s1")!.runId).toBe("r1")
    expect(placed.get("v2")!.runId).toBe("r2")
    expect(placed.get("r2")!.y).toBeGreaterThan(placed.get("r1")!.y)
    expect(placed.get("req")!.x).toBeLessThan(placed.get("r1")!.x)
    expect(placed.get("v2")!.x).toBeGreaterThan(placed.get("p2")!.x)
  })
})

describe("controls by state and role", () => {
  it("shows viewers nothing and reviewers what the state allows", () => {
    expect(allowedActions("running", "viewer")).toEqual([])
    expect(allowedActions("running", "reviewer")).toEqual(["steer", "interrupt", "cancel"])
    expect(allowedActions("awaiting_approval", "admin")).toEqual([
      "steer",
      "approve",
      "reject",
      "cancel",
    ])
    expect(allowedActions("reviewing", "reviewer")).toContain("manual-review")
    expect(allowedActions("failed", "reviewer")).toEqual(["retry"])
    expect(allowedActions("decided", "admin")).toEqual([])
  })
})

describe("sign-in helpers", () => {
  it("maps WorkOS roles to ours and only returns to this site", () => {
    expect(roleFromWorkOS("admin")).toBe("admin")
    expect(roleFromWorkOS("reviewer")).toBe("reviewer")
    expect(roleFromWorkOS("member")).toBe("viewer")
    expect(roleFromWorkOS(undefined)).toBe("viewer")
    expect(safeReturnTo("/runs/1?x=2")).toBe("/runs/1?x=2")
    expect(safeReturnTo("//evil.example")).toBe("/")
    expect(safeReturnTo("/\\evil.example")).toBe("/")
    expect(safeReturnTo("https://evil.example")).toBe("/")
    expect(safeReturnTo(null)).toBe("/")
  })
})

describe("build on demand", () => {
  const dirs: string[] = []
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true })
  })

  it("is missing, fresh, then stale when a source is newer than the build", async () => {
    const dir = await mkdtemp(join(tmpdir(), "pp-build-"))
    dirs.push(dir)
    await mkdir(join(dir, "app"))
    await writeFile(join(dir, "app", "page.tsx"), "export default 1")
    expect(buildState(dir).kind).toBe("missing")
    await mkdir(join(dir, ".next"))
    const { version } = (await import("next/package.json", { with: { type: "json" } })).default
    await writeFile(
      join(dir, ".next", "patchplane-build.json"),
      JSON.stringify({ startedAt: Date.now() + 1_000, next: version }),
    )
    expect(buildState(dir).kind).toBe("fresh")
    const later = new Date(Date.now() + 5_000)
    await utimes(join(dir, "app", "page.tsx"), later, later)
    expect(buildState(dir)).toEqual({ kind: "stale", reason: "sources changed" })
    await writeFile(
      join(dir, ".next", "patchplane-build.json"),
      JSON.stringify({ startedAt: Date.now() + 10_000, next: "0.0.1" }),
    )
    expect(buildState(dir)).toEqual({ kind: "stale", reason: "Next.js was upgraded" })
  })
})
