// What PatchPlane writes to GitHub fits GitHub's limits: PatchPlane's own
// renderers fed inputs its validators accept (a 200 KB finding list, a
// 5,000-file PatchSet, a 20,000-character prompt), fitted by the one helper,
// and judged by GitHub's published request schemas (the stand-in's
// conformance check) plus the body limit GitHub enforces beyond them.
import { describe, expect, it } from "vitest"
import { checkRequest } from "../../dev/github-stand-in/conformance.ts"
import { MAX_BODY } from "../../dev/github-stand-in/refusals.ts"
import { renderCheckRunSummary } from "../../src/publication/check-run-summary.ts"
import { fitBody, fitCheckOutput } from "../../src/publication/github-limits.ts"
import {
  pullRequestMarker,
  renderPullRequestBody,
} from "../../src/publication/pull-request-body.ts"

const DASHBOARD = "http://127.0.0.1:3000/runs/0b0e2c4e-5a0b-4d8f-9f57-3b1c2a9d0e11"
const HEAD = "835b1f50ca4234623501e8eaa78e83490af48557"

describe("fitting GitHub's limits", () => {
  it("a 200 KB finding list: the check run output fits, ends with the dashboard link, and GitHub's schema accepts it", () => {
    const findings = Array.from({ length: 40 }, (_, n) => ({
      severity: "warning",
      file: `src/module-${n}.ts`,
      line: n + 1,
      rule: "quality/long",
      message: `${"This function does too much; split it. ".repeat(130)}(${n})`,
    }))
    expect(JSON.stringify(findings).length).toBeGreaterThan(200_000)
    const summary = renderCheckRunSummary({
      runId: "run",
      state: "decided",
      reason: null,
      decision: {
        state: "manual-review",
        weightedScore: 0.7,
        decidedBy: "policy",
        criteria: [{ criterion: "weighted-score", passed: false, detail: "0.7 < 0.8" }],
      },
      reviews: [{ reviewer: "quality", passed: false, score: 0.2, findings }],
      dashboardUrl: DASHBOARD,
    })
    const fitted = fitCheckOutput(summary, DASHBOARD)
    expect(fitted.length).toBeLessThanOrEqual(65_535)
    expect(fitted.trimEnd().endsWith(`${DASHBOARD}_`)).toBe(true)
    expect(
      checkRequest("POST", "/repos/acme/widgets/check-runs", {
        name: "PatchPlane",
        head_sha: HEAD,
        status: "completed",
        conclusion: "action_required",
        output: { title: "Manual review required", summary: fitted },
      }),
    ).toBeNull()
    // Without the helper GitHub would refuse it.
    expect(
      checkRequest("POST", "/repos/acme/widgets/check-runs", {
        name: "PatchPlane",
        head_sha: HEAD,
        output: { title: "t", summary: `${summary}${"x".repeat(65_536)}` },
      })?.wording,
    ).toMatch(/^Only 65535 characters are allowed/)
  })

  it("a lockfile rewrite of 3,000 dependency changes: the PR body fits, links the dashboard, and keeps its marker", () => {
    const body = renderPullRequestBody({
      runId: "run",
      promptRequestId: "request",
      runtimeSessionId: null,
      patchSetId: "patch",
      prompt: "Rename every module. ".repeat(1_000),
      initiator: "octocat",
      issueNumber: 7,
      dashboardUrl: DASHBOARD,
      files: Array.from({ length: 5_000 }, (_, n) => ({
        path: `packages/feature-${n}/src/very/deep/module-${n}.ts`,
        status: "modified" as const,
        additions: 3,
        deletions: 1,
      })),
      summary: { filesChanged: 5_000, additions: 15_000, deletions: 5_000 },
      dependencyChanges: Array.from({ length: 3_000 }, (_, n) => ({
        manifest: "package-lock.json",
        name: `@scope/dependency-with-a-long-name-${n}`,
        from: "1.0.0",
        to: "2.0.0",
      })),
      testsRun: ["npm test"],
    })
    expect(body.length).toBeGreaterThan(MAX_BODY)
    const fitted = fitBody(body, DASHBOARD)
    expect(fitted.length).toBeLessThanOrEqual(MAX_BODY)
    expect(fitted).toContain(`The full text is on the dashboard: ${DASHBOARD}`)
    expect(fitted.endsWith(pullRequestMarker("run"))).toBe(true)
    // A cut inside a code block is closed, so the link is not swallowed by it.
    const fences = fitted.match(/^\s*```/gm)?.length ?? 0
    expect(fences % 2).toBe(0)
  })

  it("leaves text that fits untouched", () => {
    expect(fitBody("short", DASHBOARD)).toBe("short")
    const exact = "y".repeat(65_535)
    expect(fitCheckOutput(exact, DASHBOARD)).toBe(exact)
    expect(fitCheckOutput(`${exact}y`, DASHBOARD).length).toBeLessThanOrEqual(65_535)
  })
})
