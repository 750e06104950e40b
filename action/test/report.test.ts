// What GitHub shows of a review with many findings: at most 10 error and 10
// warning annotations per step, so the worst of each are annotated and the job
// summary lists every finding and says how many were left out.
import type { Finding } from "@patchplane/domain"
import { describe, expect, it } from "vitest"
import type { ReviewOutcome } from "../src/fan-out.ts"
import { annotations, summaryMarkdown } from "../src/report.ts"

const finding = (severity: Finding["severity"], n: number): Finding => ({
  file: `src/f${n}.ts`,
  line: n,
  severity,
  message: `${severity} number ${n}`,
})

const outcome: ReviewOutcome = {
  reviewer: "lint",
  passed: false,
  score: 0.2,
  comments: "many findings",
  findings: [
    ...Array.from({ length: 15 }, (_, i) => finding("warning", i)),
    ...Array.from({ length: 20 }, (_, i) => finding("error", 100 + i)),
    ...Array.from({ length: 5 }, (_, i) => finding("critical", 200 + i)),
    ...Array.from({ length: 3 }, (_, i) => finding("info", 300 + i)),
  ],
  durationMs: 1200,
  error: null,
  log: "",
}

describe("annotations beyond GitHub's per-step limit", () => {
  it("annotates the 10 worst errors and 10 warnings and counts the rest", () => {
    const { lines, notShown } = annotations([outcome])
    const errors = lines.filter((l) => l.startsWith("::error "))
    const warnings = lines.filter((l) => l.startsWith("::warning "))
    expect(errors).toHaveLength(10)
    expect(warnings).toHaveLength(10)
    expect(lines).toHaveLength(20)
    // Criticals come first among the errors.
    expect(errors.slice(0, 5).every((l) => /critical number 20\d/.test(l))).toBe(true)
    expect(notShown).toBe(15 + 20 + 5 - 20)
  })

  it("lists every finding in the job summary and says how many were not annotated", () => {
    const { notShown } = annotations([outcome])
    const summary = summaryMarkdown({
      outcomes: [outcome],
      score: {
        weightedScore: 0.2,
        passScore: 0.7,
        passed: false,
        reviewers: [],
        criteria: [],
      },
      policySource: "defaults",
      headSha: "a".repeat(40),
      decisionLine: "Results handed to the report job.",
      annotationsNotShown: notShown,
    })
    expect(summary).toContain("20 findings are not shown as annotations")
    for (const f of outcome.findings) expect(summary).toContain(f.message)
  })
})
