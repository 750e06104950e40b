// The one status comment per PromptRequest: a checklist of stages, edited in
// place as the run moves (never a stream of new comments).
import { isTerminalState, WorkflowRunState } from "@patchplane/domain"

const STAGES = [
  { label: "Request received", reachedAt: "queued" },
  { label: "Sandbox ready", reachedAt: "running" },
  { label: "Agent finished", reachedAt: "collecting" },
  { label: "Patch set reviewed", reachedAt: "awaiting_approval" },
  { label: "Decision recorded", reachedAt: "decided" },
] as const

/** The live states in the order a run passes them (the domain lists them so). */
const ORDER: ReadonlyArray<WorkflowRunState> = WorkflowRunState.literals.filter(
  (state) => !isTerminalState(state) || state === "decided",
)

const STOPPED: Partial<Record<WorkflowRunState, string>> = {
  cancelled: "🛑 Cancelled",
  failed: "❌ Failed",
  timed_out: "⏱️ Timed out",
}

export interface StatusCommentInput {
  readonly runId: string
  readonly promptRequestId: string
  readonly state: WorkflowRunState
  /** The furthest live state reached, for drawing the checklist of a stopped run. */
  readonly reached?: WorkflowRunState
  readonly reason: string | null
  readonly initiator: string
  readonly dashboardUrl: string
  /** The draft PR the run opened or updated. */
  readonly pullRequest?: { readonly number: number; readonly url: string } | null
  readonly decision?: { readonly state: string; readonly weightedScore: number } | null
  /** Lines said under the checklist (a stopped chain of rounds, a flaky CI run). */
  readonly notes?: ReadonlyArray<string>
  /** Shown under the PR link (e.g. that drafts are unavailable, so it opened ready). */
  readonly pullRequestNote?: string | null
}

/** How every status comment's marker starts (its own comments are no context for the agent). */
export const STATUS_MARKER_PREFIX = "<!-- patchplane:status "

/** A marker that lets PatchPlane find its own comment again. */
export const statusMarker = (promptRequestId: string) =>
  `${STATUS_MARKER_PREFIX}request=${promptRequestId} -->`

export const renderStatusComment = (input: StatusCommentInput): string => {
  const reached = ORDER.indexOf(input.reached ?? input.state)
  const lines = STAGES.map((stage) => {
    const done = reached >= ORDER.indexOf(stage.reachedAt)
    return `- [${done ? "x" : " "}] ${stage.label}`
  })
  const stopped = STOPPED[input.state]
  const headline = stopped
    ? `${stopped}${input.reason ? `: ${input.reason}` : ""}`
    : `State: \`${input.state}\``
  const pr = input.pullRequest
  const decision = input.decision
  return [
    `**PatchPlane** run \`${input.runId.slice(0, 8)}\` for @${input.initiator} · [open in dashboard](${input.dashboardUrl})`,
    "",
    headline,
    "",
    ...lines,
    ...(pr ? ["", `Pull request: [#${pr.number}](${pr.url})`] : []),
    ...(pr && input.pullRequestNote ? ["", `> ${input.pullRequestNote}`] : []),
    ...(decision
      ? [
          "",
          `Decision: \`${decision.state}\` (weighted score ${Math.round(decision.weightedScore * 100)}%)`,
        ]
      : []),
    ...(input.notes === undefined || input.notes.length === 0 ? [] : ["", ...input.notes]),
    "",
    statusMarker(input.promptRequestId),
  ].join("\n")
}
