// The `PatchPlane` check run's output: the decision, the score per reviewer,
// the findings worth a look, and the dashboard link. GitHub renders it as
// Markdown on the PR's Checks tab.
import { markdownCell, type MergeDecisionState, type WorkflowRunState } from "@patchplane/domain"

export interface SummaryReview {
  readonly reviewer: string
  readonly passed: boolean
  readonly score: number
  readonly findings: ReadonlyArray<Record<string, unknown>>
}

export interface SummaryDecision {
  readonly state: MergeDecisionState
  readonly weightedScore: number
  readonly decidedBy: string
  readonly criteria: ReadonlyArray<Record<string, unknown>>
}

export interface CheckSummaryInput {
  readonly runId: string
  readonly state: WorkflowRunState
  readonly reason: string | null
  readonly decision: SummaryDecision | null
  readonly reviews: ReadonlyArray<SummaryReview>
  readonly dashboardUrl: string
}

const MAX_FINDINGS = 20

const DECISION_TITLE: Record<MergeDecisionState, string> = {
  "draft-pr": "Draft: waiting for reviews",
  "ready-for-review": "Policy passed: ready for review",
  accepted: "Policy passed: accepted",
  rejected: "Policy failed: rejected",
  conflict: "Conflict: needs a human",
  "manual-review": "Manual review required",
}

const pct = (score: number) => `${Math.round(score * 100)}%`
const cell = markdownCell

export const checkRunTitle = (input: CheckSummaryInput): string =>
  input.decision !== null
    ? `${DECISION_TITLE[input.decision.state]} (score ${pct(input.decision.weightedScore)})`
    : `PatchPlane: ${input.state}`

export const renderCheckRunSummary = (input: CheckSummaryInput): string => {
  const lines: Array<string> = []
  if (input.decision === null) {
    lines.push(
      `Run \`${input.runId}\` is \`${input.state}\`${input.reason ? `: ${input.reason}` : ""}.`,
    )
  } else {
    const { decision } = input
    lines.push(
      `**Decision: \`${decision.state}\`** by ${decision.decidedBy} · weighted score **${pct(decision.weightedScore)}**`,
    )
    if (input.reason) lines.push("", `Run \`${input.state}\`: ${input.reason}`)
    lines.push("", "| Reviewer | Result | Score | Findings |", "| --- | --- | --- | --- |")
    for (const review of input.reviews)
      lines.push(
        `| ${cell(review.reviewer)} | ${review.passed ? "✅ passed" : "❌ failed"} | ${pct(review.score)} | ${review.findings.length} |`,
      )
    const failed = decision.criteria.filter((c) => c.passed === false)
    if (failed.length > 0) {
      lines.push("", "**Why**", "")
      for (const c of failed) lines.push(`- ${cell(c.criterion)}: ${cell(c.detail)}`)
    }
    const findings = input.reviews.flatMap((r) =>
      r.findings.map((f): Record<string, unknown> => ({ ...f, reviewer: r.reviewer })),
    )
    if (findings.length > 0) {
      lines.push(
        "",
        "**Findings**",
        "",
        "| Reviewer | Severity | Where | Message |",
        "| --- | --- | --- | --- |",
      )
      for (const f of findings.slice(0, MAX_FINDINGS))
        lines.push(
          `| ${cell(f.reviewer)} | ${cell(f.severity)} | \`${cell(f.file)}${typeof f.line === "number" ? `:${f.line}` : ""}\` | ${cell(f.message)} |`,
        )
      if (findings.length > MAX_FINDINGS)
        lines.push(`| | | | … and ${findings.length - MAX_FINDINGS} more in the dashboard |`)
    }
  }
  lines.push("", `[Open the run in the PatchPlane dashboard](${input.dashboardUrl})`)
  return lines.join("\n")
}
