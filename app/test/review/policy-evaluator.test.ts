// PolicyEvaluator: every decision state it produces, and why.
import { describe, expect, it } from "vitest"
import {
  DEPENDENCY_CHANGE_RULE,
  decodeSyncWith,
  PolicySpec,
  type ReviewerName,
  type ScorableReview,
} from "@patchplane/domain"
import { type EvaluatedPatchSet, evaluatePolicy } from "../../src/review/policy-evaluator.ts"

const policy = (spec: Record<string, unknown> = {}) => decodeSyncWith(PolicySpec, "policy")(spec)
const sha = "c".repeat(40)
const review = (reviewer: ReviewerName, score = 1): ScorableReview => ({
  reviewer,
  score,
  findings: [],
})
const passing = [review("lint"), review("tests"), review("security"), review("quality")]
const patchSet = (over: Partial<EvaluatedPatchSet> = {}): EvaluatedPatchSet => ({
  headSha: sha,
  files: [{ path: "src/math.js" }, { path: "test/math.test.js" }],
  dependencyChanges: [],
  ...over,
})

const evaluate = (
  spec: Record<string, unknown>,
  reviews: ReadonlyArray<ScorableReview> = passing,
  ps = patchSet(),
) => evaluatePolicy({ policy: policy(spec), reviews, patchSet: ps, reviewedSha: sha })

const criterion = (result: ReturnType<typeof evaluate>, name: string) =>
  result.criteria.find((c) => c.criterion === name)

describe("evaluatePolicy", () => {
  it("passing reviews go to a human for review under the default escalate mode", () => {
    const result = evaluate({})
    expect(result.state).toBe("ready-for-review")
    expect(result.weightedScore).toBe(1)
    expect(result.criteria.every((c) => c.passed)).toBe(true)
  })

  it("passing reviews are accepted under auto-approve", () => {
    expect(evaluate({ approvalMode: "auto-approve" }).state).toBe("accepted")
  })

  it("failing reviews are rejected", () => {
    const result = evaluate({}, [review("lint"), review("tests", 0.5), review("security")])
    expect(result.state).toBe("rejected")
    expect(criterion(result, "required-reviewers")?.passed).toBe(false)
  })

  it("workflow changes escalate to manual review unless the policy allows them", () => {
    const ci = patchSet({ files: [{ path: ".github/workflows/ci.yml" }, { path: "src/a.js" }] })
    const escalated = evaluate({ approvalMode: "auto-approve" }, passing, ci)
    expect(escalated.state).toBe("manual-review")
    expect(criterion(escalated, "workflow-changes")).toMatchObject({
      passed: false,
      detail: "need manual review: .github/workflows/ci.yml",
    })
    const allowed = evaluate(
      { approvalMode: "auto-approve", workflowChanges: "allow" },
      passing,
      ci,
    )
    expect(allowed.state).toBe("accepted")
    // A file that only looks alike is no workflow.
    const lookalike = patchSet({ files: [{ path: "docs/.github/workflows/ci.yml" }] })
    expect(criterion(evaluate({}, passing, lookalike), "workflow-changes")?.passed).toBe(true)
  })

  it("dependency changes escalate to manual review unless the policy allows them", () => {
    const deps = patchSet({ dependencyChanges: [{ manifest: "package.json", name: "zod" }] })
    const escalated = evaluate({ approvalMode: "auto-approve" }, passing, deps)
    expect(escalated.state).toBe("manual-review")
    expect(criterion(escalated, "dependency-changes")).toMatchObject({
      passed: false,
      detail: "need manual review: zod (package.json)",
    })
    expect(evaluate({ dependencyChanges: "allow" }, passing, deps).state).toBe("ready-for-review")
  })

  it("dependency changes the security reviewer found escalate too", () => {
    const security: ScorableReview = {
      reviewer: "security",
      score: 1,
      findings: [
        {
          file: "requirements.txt",
          line: 1,
          severity: "warning",
          message: "new dependency requests",
          rule: DEPENDENCY_CHANGE_RULE,
        },
      ],
    }
    const result = evaluate({}, [review("lint"), review("tests"), security, review("quality")])
    expect(result.state).toBe("manual-review")
  })

  it("files outside allowedPaths escalate; fail-closed and terminate reject instead", () => {
    const spec = { allowedPaths: ["src/**", "test/**"] }
    const outside = patchSet({
      files: [{ path: "src/a.js" }, { path: ".github/workflows/ci.yml" }],
    })
    const result = evaluate(spec, passing, outside)
    expect(result.state).toBe("manual-review")
    expect(criterion(result, "allowed-paths")?.detail).toContain(".github/workflows/ci.yml")
    expect(evaluate({ ...spec, approvalMode: "fail-closed" }, passing, outside).state).toBe(
      "rejected",
    )
    expect(evaluate({ ...spec, approvalMode: "terminate" }, passing, outside).state).toBe(
      "rejected",
    )
  })

  it("reviews of another commit than the PatchSet's head escalate", () => {
    const moved = patchSet({ headSha: "d".repeat(40) })
    const result = evaluate({}, passing, moved)
    expect(result.state).toBe("manual-review")
    expect(criterion(result, "head-commit")?.passed).toBe(false)
  })
})
