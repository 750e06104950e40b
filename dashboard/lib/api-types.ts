// The JSON the control plane's API answers with, as the dashboard reads it
// (dates arrive as ISO strings). The state vocabulary is the domain's own.
import type { RuntimeEventPayload, WorkflowRunState } from "@patchplane/domain"

export type { RuntimeEventPayload, WorkflowRunState }
export type Role = "admin" | "reviewer" | "viewer"

export interface Caller {
  readonly id: string
  readonly name: string
  readonly role: Role
}

export interface SessionInfo {
  readonly auth: "workos" | "local" | "token"
  readonly signInUrl: string | null
  readonly version: string
  readonly caller: Caller | null
  readonly refusal: { readonly code: string; readonly message: string } | null
  readonly unconfigured?: ReadonlyArray<string>
  readonly paused?: boolean
  readonly github?: { readonly configured: boolean; readonly webUrl: string }
}

export interface RunRow {
  readonly id: string
  readonly promptRequestId: string
  readonly repositoryId: string
  readonly state: WorkflowRunState
  readonly reason: string | null
  readonly pullRequestNumber: number | null
  readonly createdAt: string
  readonly updatedAt: string
}

export interface RunPage {
  readonly runs: ReadonlyArray<RunRow>
  readonly nextCursor: string | null
}

export interface RunSummary {
  readonly runId: string
  readonly prompt: string
  readonly sourceChannel: string
  readonly initiatorLogin: string | null
  readonly issueNumber: number | null
  readonly targetRef: string
  readonly repository: string
  /** Input + output tokens of every model call of the run so far. */
  readonly tokens: number
  readonly costUsd: number
}

/** GET /api/runs/:id/usage and GET /api/usage: one definition, the domain's. */
export type { RunUsage, UsageLine, UsageReport } from "@patchplane/domain"

export interface PromptRequestRow {
  readonly id: string
  readonly prompt: string
  readonly promptRaw: string
  readonly sourceChannel: string
  readonly targetRef: string
  readonly initiator: { kind: "github"; login: string } | { kind: "dashboard"; name: string }
  readonly initiatorLogin: string | null
  readonly issueNumber: number | null
  readonly deliveryId: string | null
  readonly createdAt: string
}

export interface RepositoryRow {
  readonly id: string
  readonly fullName: string
  readonly defaultBranch: string
  readonly private: boolean
  readonly active: boolean
}

export interface SessionRow {
  readonly id: string
  readonly adapter: string
  readonly status: string
  readonly sandboxId: string | null
  readonly inputTokens?: number
  readonly outputTokens?: number
  readonly costUsd?: number
  readonly startedAt: string
  readonly endedAt: string | null
}

export interface RuntimeEventRow {
  readonly id: string
  readonly seq: number
  readonly kind: string
  readonly payload: RuntimeEventPayload
  readonly createdAt: string
}

export interface FileChange {
  readonly path: string
  readonly status: "added" | "modified" | "deleted" | "renamed"
  readonly additions: number
  readonly deletions: number
  readonly previousPath?: string
}

export interface PatchSetRow {
  readonly id: string
  readonly branch: string
  readonly baseSha: string | null
  readonly headSha: string | null
  readonly files: ReadonlyArray<FileChange>
  readonly diffSummary: { filesChanged?: number; additions?: number; deletions?: number }
  readonly testsRun: ReadonlyArray<string>
  readonly toolsUsed: ReadonlyArray<string>
  readonly dependencyChanges: ReadonlyArray<{
    manifest: string
    name: string
    from: string | null
    to: string | null
  }>
  readonly createdAt: string
}

export interface Finding {
  readonly file: string
  readonly line: number | null
  readonly severity: "info" | "warning" | "error" | "critical"
  readonly message: string
  readonly rule?: string
}

export interface ReviewRow {
  readonly id: string
  readonly patchSetId: string
  readonly reviewer: string
  readonly passed: boolean
  readonly score: number
  readonly comments: string
  readonly findings: ReadonlyArray<Finding>
  readonly logRef: string | null
  readonly createdAt: string
}

export interface DecisionRow {
  readonly id: string
  readonly state: string
  readonly weightedScore: number
  readonly criteria: ReadonlyArray<{ criterion: string; passed: boolean; detail: string }>
  readonly decidedBy: string
  readonly pullRequestNumber: number | null
  readonly createdAt: string
}

export interface TransitionRow {
  readonly id: string
  readonly fromState: WorkflowRunState | null
  readonly toState: WorkflowRunState
  readonly reason: string | null
  readonly actor: string
  readonly createdAt: string
}

export interface ApprovalRow {
  readonly id: string
  readonly kind: "runtime" | "merge" | "policy"
  readonly reason: string
  readonly resolution: "approved" | "rejected" | null
  readonly resolvedBy: string | null
  readonly createdAt: string
}

/** A GitHub write for the run that gave up after its retries. */
export interface PublicationFailureRow {
  readonly id: string
  readonly step: string
  readonly message: string
  readonly attempts: number
  readonly createdAt: string
}

export interface RunDetail {
  readonly run: RunRow
  readonly request: PromptRequestRow
  readonly repository: RepositoryRow
  readonly sessions: ReadonlyArray<SessionRow>
  readonly events: ReadonlyArray<RuntimeEventRow>
  readonly patchSets: ReadonlyArray<PatchSetRow>
  readonly reviews: ReadonlyArray<ReviewRow>
  readonly decision: DecisionRow | null
  readonly transitions: ReadonlyArray<TransitionRow>
  readonly approvals: ReadonlyArray<ApprovalRow>
  readonly publicationFailures: ReadonlyArray<PublicationFailureRow>
}

export type DiffAnswer =
  | {
      readonly available: true
      readonly source: string
      readonly diff: string
      readonly truncated: boolean
    }
  | { readonly available: false; readonly reason: string }

/** GET /api/runs/:id/provenance: one definition, the domain's. */
export type { GraphEdge, GraphNode, ProvenanceGraph } from "@patchplane/domain"

export interface ConnectedRepository extends RepositoryRow {
  readonly recentRuns: ReadonlyArray<{ id: string; state: WorkflowRunState; createdAt: string }>
}

export interface Installation {
  readonly id: string
  readonly installationId: number
  readonly accountLogin: string
  readonly accountType: string
  readonly suspendedAt: string | null
  readonly deletedAt: string | null
  readonly repositories: ReadonlyArray<ConnectedRepository>
}

export interface RepositoriesAnswer {
  readonly installations: ReadonlyArray<Installation>
  readonly installUrl: string | null
  readonly githubConfigured: boolean
}

export interface PolicyAnswer {
  readonly source: string
  readonly policy: Record<string, unknown> | null
  readonly issues: ReadonlyArray<{ path: string; message: string }>
  readonly note: string | null
}

export interface Delivery {
  readonly id: string
  readonly deliveryId: string
  readonly event: string
  readonly action: string | null
  readonly repositoryFullName: string | null
  readonly outcome: "received" | "processed" | "ignored" | "refused" | "failed"
  readonly error: string | null
  readonly receivedAt: string
  readonly processedAt: string | null
  readonly promptRequestId: string | null
}

export interface DeliveryPage {
  readonly deliveries: ReadonlyArray<Delivery>
  readonly nextCursor: string | null
}

export interface ManifestInfo {
  readonly configured: boolean
  readonly manifest: Record<string, unknown>
  readonly publicUrl: string
  readonly reachableByGitHub: boolean
  readonly configFile: string
}

/** One quoted part of what the agent saw (GET /api/runs/:id/context). */
export interface RunContextPart {
  readonly kind: string
  readonly source: string
  readonly title: string
  readonly originalChars: number
  readonly chars: number
  readonly truncated: boolean
  readonly sanitised: boolean
  readonly text: string
}

export interface RunContext {
  readonly digest: string
  /** The exact first message the agent's model received. */
  readonly prompt: string
  readonly parts: ReadonlyArray<RunContextPart>
  readonly omitted: ReadonlyArray<string>
  readonly totalChars: number
  readonly createdAt: string
}

/** The chain of rounds a run is in (GET /api/runs/:id/rounds). */
export interface RunRounds {
  /** An operator stopped the chain: no review or CI failure starts another round. */
  readonly stopped: { readonly by: string; readonly at: string; readonly runId: string } | null
  readonly rounds: ReadonlyArray<{
    readonly round: number
    readonly id: string
    readonly state: WorkflowRunState
    readonly reason: string | null
    /** What this round's model calls cost. */
    readonly tokens: number
    readonly costUsd: number
  }>
  readonly ci: ReadonlyArray<{
    readonly runId: string
    readonly workflow: string
    readonly headSha: string
    readonly outcome: string
    readonly repairRunId: string | null
  }>
}
