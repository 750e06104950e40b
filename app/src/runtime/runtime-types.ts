// The RuntimeAdapter contract in plain data. The control plane only ever sees
// these types and the domain's normalized RuntimeEvents; which agent runtime
// runs behind them (Pi today) stays inside its adapter.
import type { Effect, Scope } from "effect"
import type { PolicySpec, RuntimeEventPayload, RuntimeProfile } from "@patchplane/domain"
import type { SandboxHandle } from "../execution/index.ts"
import type { RuntimeError } from "./runtime-errors.ts"

/** Limits of one session; the adapter enforces the turn and time limits, the gateway the rest. */
export interface SessionBudget {
  /** Model turns (one model answer plus the tool calls it asked for) over the session. */
  readonly maxTurns: number
  /** How long one model turn may take, tools included. */
  readonly turnTimeoutSeconds: number
  /** How long the whole session may take. */
  readonly runTimeoutSeconds: number
  /** Model tokens (input + output) the run may spend through the gateway. */
  readonly maxTokens: number
  readonly maxCostUsd: number
}

/** The tighter of the policy's budgets and the runtime profile's limits. */
export const sessionBudget = (
  budgets: PolicySpec["budgets"],
  profile?: Pick<RuntimeProfile, "maxTurns" | "turnTimeoutSeconds">,
): SessionBudget => ({
  maxTurns: Math.min(budgets.maxTurns, profile?.maxTurns ?? budgets.maxTurns),
  turnTimeoutSeconds: Math.min(
    budgets.turnTimeoutSeconds,
    profile?.turnTimeoutSeconds ?? budgets.turnTimeoutSeconds,
  ),
  runTimeoutSeconds: budgets.runTimeoutSeconds,
  maxTokens: budgets.maxTokens,
  maxCostUsd: budgets.maxCostUsd,
})

export type RuntimeEventSink = (
  events: ReadonlyArray<RuntimeEventPayload>,
) => Effect.Effect<void, unknown>

export interface StartSessionRequest {
  readonly runId: string
  /** The RuntimeSession row this session reports to (events, gateway usage). */
  readonly sessionId: string
  readonly sandbox: SandboxHandle
  /** The checkout the agent works in, inside the sandbox. */
  readonly cwd: string
  readonly budget: SessionBudget
  /** PolicySpec.agent.readAgentsMd: let the agent read the repo's AGENTS.md. */
  readonly readAgentsMd: boolean
  /** RuntimeProfile.model; the adapter's configured model when absent. */
  readonly model?: string
  /**
   * Which runtime runs the session (PolicySpec.agent.runtime, e.g. "pi");
   * the adapter's default when absent. An adapter that has no such runtime
   * refuses to start.
   */
  readonly runtime?: string
  /**
   * Receives the normalized events in order, in batches (one per read from
   * the runtime). The next batch waits for this one, and `terminate` returns
   * only after the last event (session.terminated) was delivered. A failing
   * sink ends the session with reason "error".
   */
  readonly onEvent: RuntimeEventSink
}

export interface RuntimeSessionHandle {
  /** Same as StartSessionRequest.sessionId. */
  readonly id: string
  readonly runId: string
  /** Which adapter runs it, e.g. "pi" (RuntimeSession.adapter). */
  readonly adapter: string
  readonly sandboxId: string
  readonly startedAt: Date
}

/** How a `runTurn` ended. The last four also end the session. */
export type TurnStatus =
  | "completed"
  | "aborted"
  | "failed"
  | "budget_exhausted"
  | "timeout"
  | "error"

export interface TurnOutcome {
  readonly status: TurnStatus
  /** Model turns this prompt took. */
  readonly turns: number
  /** The agent's last words (its final answer when completed). */
  readonly lastMessage: string | null
  readonly error: string | null
}

export type SessionEndReason = Extract<
  RuntimeEventPayload,
  { kind: "session.terminated" }
>["reason"]

export interface SessionEnd {
  readonly reason: SessionEndReason
  readonly detail: string | null
  /** Model turns over the whole session. */
  readonly turns: number
}

export interface RuntimeArtifact {
  readonly name: string
  readonly mediaType: string
  readonly content: string
}

export interface SessionArtifacts {
  /** E.g. the runtime's transcript; the caller stores them and emits artifact.emitted. */
  readonly artifacts: ReadonlyArray<RuntimeArtifact>
  /** Tool names the agent used (PatchSet.toolsUsed). */
  readonly toolsUsed: ReadonlyArray<string>
  /** Shell commands it ran (for PatchSet.testsRun). */
  readonly commands: ReadonlyArray<string>
}

export interface RuntimeAdapterShape {
  /** The adapter id recorded on RuntimeSessions, e.g. "pi". */
  readonly id: string
  /**
   * The adapter id a session asking for `runtime` will run on, for the
   * RuntimeSession row opened before it starts; `id` when absent.
   */
  readonly idFor?: (runtime: string | undefined) => string
  /**
   * Starts the runtime in the sandbox and waits until it is ready
   * (session.started). The session belongs to the current scope: closing the
   * scope terminates it (reason "aborted" unless it ended before).
   */
  readonly startSession: (
    request: StartSessionRequest,
  ) => Effect.Effect<RuntimeSessionHandle, RuntimeError, Scope.Scope>
  /** Sends a prompt and waits until the agent is idle again (or stopped). */
  readonly runTurn: (
    session: RuntimeSessionHandle,
    prompt: string,
  ) => Effect.Effect<TurnOutcome, RuntimeError>
  /** Delivers a message to the running agent before its next model call. */
  readonly steer: (
    session: RuntimeSessionHandle,
    message: string,
  ) => Effect.Effect<void, RuntimeError>
  /** Stops the current turn (tools included); the session stays open. No-op when idle. */
  readonly abort: (session: RuntimeSessionHandle) => Effect.Effect<void, RuntimeError>
  /** Answers an approval.required event. */
  readonly respondToApproval: (
    session: RuntimeSessionHandle,
    approvalId: string,
    decision: { readonly approved: boolean },
  ) => Effect.Effect<void, RuntimeError>
  readonly collectArtifacts: (
    session: RuntimeSessionHandle,
  ) => Effect.Effect<SessionArtifacts, RuntimeError>
  /**
   * Ends the session (stopping a running turn first) and emits
   * session.terminated. Idempotent: later calls return the first end.
   */
  readonly terminate: (
    session: RuntimeSessionHandle,
    reason?: SessionEndReason,
    detail?: string,
  ) => Effect.Effect<SessionEnd>
}
