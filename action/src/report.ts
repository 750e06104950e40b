// What people see in GitHub: annotations on the diff lines and the job
// summary table. Findings at `info` stay out of the annotations.
import { type Finding, markdownCell, type ReviewScore } from "@patchplane/domain"
import type { ReviewOutcome } from "./fan-out.ts"
import { type AnnotationLevel, annotation } from "./toolkit.ts"

/**
 * GitHub shows at most 10 error and 10 warning annotations per step, and 50
 * per job ("Workflow commands for GitHub Actions", Limitations); the rest are
 * dropped silently. The worst of each level go first, and the job summary
 * lists every finding and says how many were not annotated.
 */
export const MAX_ANNOTATIONS_PER_LEVEL = 10

const rank: Record<Finding["severity"], number> = { critical: 0, error: 1, warning: 2, info: 3 }

const levelOf = (severity: Finding["severity"]): AnnotationLevel | null =>
  severity === "info" ? null : severity === "warning" ? "warning" : "error"

export interface Annotations {
  /** The workflow commands to print, worst first. */
  readonly lines: ReadonlyArray<string>
  /** Error and warning findings GitHub would not show as annotations. */
  readonly notShown: number
}

export const annotations = (outcomes: ReadonlyArray<ReviewOutcome>): Annotations => {
  const ranked = outcomes
    .flatMap((o) => o.findings.map((finding) => ({ reviewer: o.reviewer, finding })))
    .filter(({ finding }) => finding.severity !== "info")
    .toSorted((a, b) => rank[a.finding.severity] - rank[b.finding.severity])
  const shown = (["error", "warning"] as const).flatMap((level) =>
    ranked
      .filter(({ finding }) => levelOf(finding.severity) === level)
      .slice(0, MAX_ANNOTATIONS_PER_LEVEL),
  )
  return {
    lines: shown.map(({ reviewer, finding }) =>
      annotation(levelOf(finding.severity) ?? "notice", finding.message, {
        ...(finding.file === "" ? {} : { file: finding.file }),
        ...(finding.line === null ? {} : { line: finding.line }),
        title: `PatchPlane ${reviewer}${finding.rule === undefined ? "" : ` (${finding.rule})`}`,
      }),
    ),
    notShown: ranked.length - shown.length,
  }
}

const cell = markdownCell
const n2 = (n: number) => n.toFixed(2)
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

export interface SummaryInput {
  readonly outcomes: ReadonlyArray<ReviewOutcome>
  readonly score: ReviewScore
  readonly policySource: string
  readonly headSha: string
  /** What PatchPlane answered, or why nothing was posted. */
  readonly decisionLine: string
  /** Findings left out of the annotations by GitHub's per-step limit. */
  readonly annotationsNotShown?: number
}

/** Every finding fits: a step summary may hold 1 MiB, and each row is cut to 300 characters. */
const MAX_FINDING_ROWS = 2_000
const short = (text: string) => (text.length > 300 ? `${text.slice(0, 299)}…` : text)

export const summaryMarkdown = (input: SummaryInput): string => {
  const { score } = input
  const byName = new Map(score.reviewers.map((r) => [r.reviewer, r]))
  const rows = input.outcomes.map((o) => {
    const policy = byName.get(o.reviewer)
    const result = o.error !== null ? "⚠️ errored" : o.passed ? "✅ passed" : "❌ failed"
    return `| ${o.reviewer} | ${result} | ${n2(o.score)} | ${policy === undefined ? "not scored" : n2(policy.weight)} | ${policy?.required ? "yes" : "no"} | ${o.findings.length} | ${seconds(o.durationMs)} | ${cell(o.comments)} |`
  })
  const findings = input.outcomes
    .flatMap((o) => o.findings.map((f) => ({ reviewer: o.reviewer, f })))
    .toSorted((a, b) => rank[a.f.severity] - rank[b.f.severity])
  const findingRows = findings
    .slice(0, MAX_FINDING_ROWS)
    .map(
      ({ reviewer, f }) =>
        `| ${f.severity} | ${reviewer} | ${cell(f.file === "" ? "—" : `${f.file}${f.line === null ? "" : `:${f.line}`}`)} | ${cell(short(f.message))} |`,
    )
  return [
    "## PatchPlane review",
    "",
    `**Weighted score ${n2(score.weightedScore)}** (pass ${n2(score.passScore)}): ${score.passed ? "✅ passes" : "❌ does not pass"} the policy (${cell(input.policySource)}) at \`${input.headSha.slice(0, 12)}\`.`,
    "",
    "| Reviewer | Result | Score | Weight | Required | Findings | Time | Notes |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
    "",
    ...score.criteria.map(
      (c) => `- ${c.passed ? "✅" : "❌"} \`${c.criterion}\`: ${cell(c.detail)}`,
    ),
    "",
    input.decisionLine,
    "",
    ...(findings.length === 0
      ? []
      : [
          ...((input.annotationsNotShown ?? 0) > 0
            ? [
                `${input.annotationsNotShown} findings are not shown as annotations on the diff (GitHub shows at most ${MAX_ANNOTATIONS_PER_LEVEL} errors and ${MAX_ANNOTATIONS_PER_LEVEL} warnings per step); every finding is listed here.`,
                "",
              ]
            : []),
          `<details><summary>Findings (${findings.length})</summary>`,
          "",
          "| Severity | Reviewer | Where | Finding |",
          "| --- | --- | --- | --- |",
          ...findingRows,
          ...(findings.length > MAX_FINDING_ROWS
            ? [`| … | | | ${findings.length - MAX_FINDING_ROWS} more in the job log |`]
            : []),
          "",
          "</details>",
        ]),
  ].join("\n")
}
