import { schema } from "@patchplane/db"
import { describe, expect, it } from "vitest"
import {
  canTransition,
  decodeSyncWith,
  DecodeError,
  formatPath,
  isTerminalState,
  MergeDecisionState,
  PolicySpec,
  RuntimeEvent,
  runtimeEventKinds,
  RuntimeEventPayload,
  WorkflowRunState,
  workflowRunTransitions,
} from "@patchplane/domain"

const decodeEvent = decodeSyncWith(RuntimeEvent, "runtime event")

const catchDecode = (run: () => unknown): DecodeError => {
  try {
    run()
  } catch (error) {
    if (error instanceof DecodeError) return error
    throw error
  }
  throw new Error("expected a DecodeError")
}

describe("decoding errors name the bad field", () => {
  it("formats paths the way people write them", () => {
    expect(formatPath(["server", "port"])).toBe("server.port")
    expect(formatPath(["reviewers", 2, "weight"])).toBe("reviewers[2].weight")
    expect(formatPath(["labels", "a b"])).toBe('labels["a b"]')
    expect(formatPath([])).toBe("(root)")
  })

  it("lists every bad field of a RuntimeEvent with its path", () => {
    const error = catchDecode(() =>
      decodeEvent({
        id: "not-a-uuid",
        workflowRunId: crypto.randomUUID(),
        runtimeSessionId: null,
        seq: 0,
        payload: { kind: "turn.started", turn: "one" },
        createdAt: new Date(),
      }),
    )
    const paths = error.issues.map((i) => i.path)
    expect(paths).toContain("id")
    expect(paths).toContain("seq")
    expect(error.message).toContain("runtime event is invalid")
    expect(error.message).toMatch(/id: .*UUID/)
  })

  it("rejects unknown keys instead of silently dropping them", () => {
    const error = catchDecode(() => decodeSyncWith(PolicySpec, "policy")({ passScroe: 0.9 }))
    expect(error.issues).toEqual([{ path: "passScroe", message: "Expected no excess property" }])
  })
})

describe("RuntimeEvent kinds", () => {
  it("covers exactly the normalized kinds of the spec", () => {
    expect([...runtimeEventKinds].toSorted()).toEqual(
      [
        "approval.required",
        "artifact.emitted",
        "message",
        "session.started",
        "session.terminated",
        "tool.completed",
        "tool.requested",
        "turn.completed",
        "turn.failed",
        "turn.started",
      ].toSorted(),
    )
    for (const kind of runtimeEventKinds) {
      // each kind has its own payload: a bare `{ kind }` is accepted as that kind
      // and fails on the kind's own missing fields
      const error = catchDecode(() => decodeSyncWith(RuntimeEventPayload, "payload")({ kind }))
      expect(error.issues.length).toBeGreaterThan(0)
      expect(error.issues.map((i) => i.path)).not.toContain("kind")
    }
  })

  it("decodes a tool call with its arguments", () => {
    const decoded = decodeSyncWith(
      RuntimeEventPayload,
      "payload",
    )({
      kind: "tool.requested",
      toolCallId: "call_1",
      tool: "bash",
      args: { command: "npm test" },
    })
    expect(decoded).toEqual({
      kind: "tool.requested",
      toolCallId: "call_1",
      tool: "bash",
      args: { command: "npm test" },
    })
  })
})

describe("WorkflowRun lifecycle", () => {
  it("moves forward along the happy path and nowhere illegal", () => {
    const path = [
      "queued",
      "provisioning",
      "running",
      "collecting",
      "reviewing",
      "awaiting_approval",
      "decided",
    ] as const
    for (let i = 0; i + 1 < path.length; i++)
      expect(canTransition(path[i]!, path[i + 1]!)).toBe(true)
    expect(canTransition("queued", "decided")).toBe(false)
    expect(canTransition("decided", "running")).toBe(false)
    expect(canTransition("running", "queued")).toBe(false)
  })

  it("lets a human stop any live run, and nothing leaves a terminal state", () => {
    const live = WorkflowRunState.literals.filter((state) => !isTerminalState(state))
    const terminal = WorkflowRunState.literals.filter(isTerminalState)
    expect(live.filter((state) => !canTransition(state, "cancelled"))).toEqual([])
    expect(live.filter((state) => !canTransition(state, "failed"))).toEqual([])
    expect(terminal.flatMap((state) => workflowRunTransitions[state])).toEqual([])
    expect(terminal).toEqual(["decided", "cancelled", "failed", "timed_out"])
  })

  it("uses the same state names as the database enums", () => {
    expect(schema.workflowRunState.enumValues).toEqual(WorkflowRunState.literals)
    expect(schema.mergeDecisionState.enumValues).toEqual(MergeDecisionState.literals)
  })
})

describe("PolicySpec", () => {
  it("fills every default from an empty document", () => {
    const policy = decodeSyncWith(PolicySpec, "policy")({})
    expect(policy.passScore).toBe(0.8)
    expect(policy.approvalMode).toBe("escalate")
    expect(policy.sandbox.network).toBe("none")
    expect(policy.agent.readAgentsMd).toBe(false)
    expect(Object.keys(policy.reviewers).toSorted()).toEqual([
      "lint",
      "quality",
      "security",
      "tests",
    ])
  })
})
