// RunSteps for orchestration tests: no sandbox, no model; each step records
// what it did (in memory, or in a table when the steps run in another
// process) and the agent "works" until its delay passes or it is stopped.
import {
  appendRuntimeEvents,
  type Database,
  insertPatchSet,
  insertRuntimeSession,
  takeUndeliveredInputs,
} from "@patchplane/db"
import { sql } from "drizzle-orm"
import type { RunSteps } from "../../src/orchestration/run-steps.ts"

export interface ScriptedSteps extends RunSteps {
  readonly calls: string[]
  /** How long the agent works; change it between runs. */
  agentMs: number
  /** What collect finds. */
  changes: boolean
}

export const createStepLog = (db: Database) =>
  db.execute(
    sql`CREATE TABLE IF NOT EXISTS test_step_log (id bigserial PRIMARY KEY, run_id uuid NOT NULL, step text NOT NULL, pid int NOT NULL, at timestamptz NOT NULL DEFAULT now())`,
  )

export const readStepLog = async (db: Database, runId: string) =>
  (
    await db.execute<{ step: string; pid: number }>(
      sql`SELECT step, pid FROM test_step_log WHERE run_id = ${runId} ORDER BY id`,
    )
  ).rows

export const scriptedSteps = (
  db: Database,
  options: { agentMs?: number; persistLog?: boolean } = {},
): ScriptedSteps => {
  const record = async (runId: string, step: string) => {
    steps.calls.push(`${step}:${runId}`)
    if (options.persistLog)
      await db.execute(
        sql`INSERT INTO test_step_log (run_id, step, pid) VALUES (${runId}, ${step}, ${process.pid})`,
      )
  }
  const steps: ScriptedSteps = {
    calls: [],
    agentMs: options.agentMs ?? 50,
    changes: true,
    createSandbox: async (plan) => {
      await record(plan.runId, "create-sandbox")
      const session = await insertRuntimeSession(db, {
        workflowRunId: plan.runId,
        adapter: "scripted",
        sandboxId: `sbx-${plan.runId}`,
        approvalPolicy: plan.policy.approvalMode,
        sandboxPolicy: plan.policy.sandbox.network,
        timeoutSeconds: plan.policy.budgets.runTimeoutSeconds,
      })
      return { sandboxId: `sbx-${plan.runId}`, runtimeSessionId: session.id }
    },
    checkout: async (plan) => {
      await record(plan.runId, "checkout")
    },
    runAgent: async (plan, sandbox, control) => {
      await record(plan.runId, "agent-start")
      await appendRuntimeEvents(db, plan.runId, [
        {
          runtimeSessionId: sandbox.runtimeSessionId,
          kind: "session.started",
          payload: { kind: "session.started", adapter: "scripted" },
        },
        {
          runtimeSessionId: sandbox.runtimeSessionId,
          kind: "turn.started",
          payload: { kind: "turn.started", turn: 1 },
        },
      ])
      let steered = 0
      control.onSteer(() => {
        void takeUndeliveredInputs(db, plan.runId, "steer").then((inputs) => {
          steered += inputs.length
        })
      })
      const stopped = await new Promise<boolean>((resolve) => {
        // Stopped while it was starting: the abort event has already fired.
        if (control.signal.aborted) return resolve(true)
        const timer = setTimeout(() => resolve(false), steps.agentMs)
        control.signal.addEventListener("abort", () => {
          clearTimeout(timer)
          resolve(true)
        })
      })
      await record(
        plan.runId,
        stopped ? `agent-stopped:${String(control.signal.reason)}` : "agent-done",
      )
      await appendRuntimeEvents(db, plan.runId, [
        {
          runtimeSessionId: sandbox.runtimeSessionId,
          kind: "message",
          payload: { kind: "message", role: "assistant", text: `done (steered ${steered}×)` },
        },
        {
          runtimeSessionId: sandbox.runtimeSessionId,
          kind: "session.terminated",
          payload: { kind: "session.terminated", reason: stopped ? "aborted" : "completed" },
        },
      ])
      return { kind: "completed" }
    },
    collectPatchSet: async (plan, sandbox) => {
      await record(plan.runId, "collect")
      if (!steps.changes) return { kind: "no-changes" }
      const patch = await insertPatchSet(db, {
        workflowRunId: plan.runId,
        runtimeSessionId: sandbox.runtimeSessionId,
        branch: `patchplane/${plan.runId}`,
        files: [{ path: "README.md", status: "modified", additions: 1, deletions: 0 }],
        diffSummary: { filesChanged: 1, additions: 1, deletions: 0 },
      })
      return { kind: "changes", patchSetId: patch.id, highRisk: false }
    },
    destroySandbox: async (plan) => {
      await record(plan.runId, "destroy-sandbox")
    },
    publish: async (plan) => {
      await record(plan.runId, "publish")
    },
  }
  return steps
}
