// RunSteps for the dashboard's browser tests: no sandbox and no model, but an
// agent that visibly works (messages, a tool call with its output, a turn),
// then a PatchSet with real commits to diff. Sandbox bookkeeping is the
// orchestration tests' scripted steps.
import {
  appendRuntimeEvents,
  type Database,
  insertPatchSet,
  setRuntimeSessionStatus,
} from "@patchplane/db"
import type { FileChange, RuntimeEventPayload } from "@patchplane/domain"
import { scriptedSteps } from "../../app/test/orchestration/scripted-steps.ts"
import type { RunSteps } from "../../app/src/orchestration/run-steps.ts"

export const BASE_SHA = "1111111111111111111111111111111111111111"
export const HEAD_SHA = "2222222222222222222222222222222222222222"

export const DEMO_FILES: FileChange[] = [
  { path: "src/greet.ts", status: "modified", additions: 2, deletions: 1 },
  { path: "README.md", status: "modified", additions: 1, deletions: 0 },
]

/** The unified diff the fake GitHub serves for BASE_SHA...HEAD_SHA. */
export const DEMO_DIFF = `diff --git a/src/greet.ts b/src/greet.ts
index 3b18e51..a1b2c3d 100644
--- a/src/greet.ts
+++ b/src/greet.ts
@@ -1,5 +1,6 @@
 export function greet(name: string): string {
-  return "Hello " + name
+  const who = name.trim() || "world"
+  return \`Hello, \${who}!\`
 }
 
 export const shout = (text: string) => text.toUpperCase()
diff --git a/README.md b/README.md
index 1111111..2222222 100644
--- a/README.md
+++ b/README.md
@@ -1,2 +1,3 @@
 # Demo
 A small library.
+Greets politely, even nobody.
`

const wait = (ms: number, signal: AbortSignal) =>
  new Promise<boolean>((resolve) => {
    if (signal.aborted) return resolve(true)
    const timer = setTimeout(() => resolve(false), ms)
    signal.addEventListener("abort", () => {
      clearTimeout(timer)
      resolve(true)
    })
  })

export const demoSteps = (db: () => Database, options: { agentMs: number }): RunSteps => {
  const base = () => scriptedSteps(db())
  return {
    createSandbox: (plan, signal) => base().createSandbox(plan, signal),
    checkout: async () => {},
    runAgent: async (plan, sandbox, control) => {
      const session = sandbox.runtimeSessionId
      const append = (payload: RuntimeEventPayload) =>
        appendRuntimeEvents(db(), plan.runId, [
          { runtimeSessionId: session, kind: payload.kind, payload },
        ])
      // The session's row moves as a runtime's recorder moves it, so the graph shows it end.
      if (session !== null) await setRuntimeSessionStatus(db(), session, "running")
      await append({ kind: "session.started", adapter: "demo" })
      await append({ kind: "turn.started", turn: 1 })
      await append({
        kind: "message",
        role: "assistant",
        text: "Reading src/greet.ts to see how names are handled.",
      })
      await append({
        kind: "tool.requested",
        toolCallId: "call-1",
        tool: "bash",
        args: { command: "npm test" },
      })
      const stopped = await wait(options.agentMs / 2, control.signal)
      await append({
        kind: "tool.completed",
        toolCallId: "call-1",
        tool: "bash",
        ok: true,
        output: "✓ greet.test.ts (3 tests)\n\nTests 3 passed",
        truncated: false,
      })
      if (!stopped) await wait(options.agentMs / 2, control.signal)
      await append({
        kind: "message",
        role: "assistant",
        text: "greet() now trims the name and falls back to “world”.",
      })
      await append({
        kind: "turn.completed",
        turn: 1,
        usage: { inputTokens: 1200, outputTokens: 340 },
      })
      await append({
        kind: "session.terminated",
        reason: control.signal.aborted ? "aborted" : "completed",
      })
      if (session !== null)
        await setRuntimeSessionStatus(
          db(),
          session,
          control.signal.aborted ? "aborted" : "completed",
        )
      return { kind: "completed" }
    },
    collectPatchSet: async (plan, sandbox) => {
      // Recorded without its diff, as before diffs were stored: the browser
      // tests show it through the GitHub fallback (fake GitHub serves DEMO_DIFF).
      const patch = await insertPatchSet(db(), {
        workflowRunId: plan.runId,
        runtimeSessionId: sandbox.runtimeSessionId,
        branch: `patchplane/${plan.runId}`,
        baseSha: BASE_SHA,
        headSha: HEAD_SHA,
        files: DEMO_FILES,
        diffSummary: { filesChanged: 2, additions: 3, deletions: 1 },
        testsRun: ["npm test"],
        toolsUsed: ["bash"],
      })
      return { kind: "changes", patchSetId: patch.id, highRisk: false }
    },
    destroySandbox: async () => {},
    publish: async () => {},
  }
}
