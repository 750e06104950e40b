// PolicyEvaluator: ReviewRuns + the run's policy + its PatchSet → a
// MergeDecision state, weighted score and per-criterion result. Pure; the
// endpoint records what it returns. PatchPlane never merges: "accepted" means
// the policy would let a human merge without further review.
//
// - Reviews fail the policy (score below passScore, or a required reviewer
//   failed, errored or did not report: fail-closed) → rejected.
// - Reviews pass but something needs a human (dependency changes under
//   `dependencyChanges: manual-review`, workflow changes under
//   `workflowChanges: manual-review`, files outside allowedPaths, a branch
//   that moved past the PatchSet, files over patchSetLimits or binary ones,
//   a workflow that hands secrets to code) → manual-review, or rejected when
//   the approval mode is fail-closed or terminate.
// - Otherwise accepted under auto-approve, else ready-for-review.
import {
  type Criterion,
  DEPENDENCY_CHANGE_RULE,
  type FileChange,
  isWorkflowPath,
  type MergeDecisionState,
  patchSetLimitFindings,
  pathAllowed,
  type PolicySpec,
  type ReviewScore,
  type ScorableReview,
  scoreReviews,
} from "@patchplane/domain"

export interface EvaluatedPatchSet {
  readonly headSha: string | null
  readonly files: ReadonlyArray<
    Pick<FileChange, "path"> & Partial<Pick<FileChange, "status" | "bytes" | "binary" | "risk">>
  >
  readonly dependencyChanges: ReadonlyArray<{ readonly manifest: string; readonly name: string }>
}

export interface EvaluationInput {
  readonly policy: PolicySpec
  readonly reviews: ReadonlyArray<ScorableReview>
  readonly patchSet: EvaluatedPatchSet
  /** The commit the reviewers ran on. */
  readonly reviewedSha: string
}

export interface Evaluation {
  readonly state: MergeDecisionState
  readonly weightedScore: number
  readonly criteria: ReadonlyArray<Criterion>
  readonly score: ReviewScore
}

type EvaluatedFile = EvaluatedPatchSet["files"][number]

/** A file as stored with the PatchSet (jsonb), with what the criteria read. */
export const evaluatedFile = (stored: Readonly<Record<string, unknown>>): EvaluatedFile => {
  const { status, bytes, binary, risk } = stored
  return {
    path: String(stored.path),
    ...(status === "added" || status === "modified" || status === "deleted" || status === "renamed"
      ? { status }
      : {}),
    ...(typeof bytes === "number" ? { bytes } : {}),
    ...(typeof binary === "boolean" ? { binary } : {}),
    ...(typeof risk === "string" ? { risk } : {}),
  }
}

const list = (items: ReadonlyArray<string>, max = 5) =>
  items.length <= max
    ? items.join(", ")
    : `${items.slice(0, max).join(", ")} and ${items.length - max} more`

const dependencyCriterion = (input: EvaluationInput): Criterion => {
  const fromPatchSet = input.patchSet.dependencyChanges.map((d) =>
    d.name === "*" ? d.manifest : `${d.name} (${d.manifest})`,
  )
  const fromReviews = input.reviews.flatMap((r) =>
    r.findings.filter((f) => f.rule === DEPENDENCY_CHANGE_RULE).map((f) => f.file),
  )
  const changed = [...new Set([...fromPatchSet, ...fromReviews])]
  if (changed.length === 0)
    return { criterion: "dependency-changes", passed: true, detail: "no dependency changes" }
  const allowed = input.policy.dependencyChanges === "allow"
  return {
    criterion: "dependency-changes",
    passed: allowed,
    detail: `${allowed ? "allowed by policy" : "need manual review"}: ${list(changed)}`,
  }
}

const workflowCriterion = (input: EvaluationInput): Criterion => {
  const changed = input.patchSet.files.map((f) => f.path).filter(isWorkflowPath)
  if (changed.length === 0)
    return { criterion: "workflow-changes", passed: true, detail: "no workflow changes" }
  const allowed = input.policy.workflowChanges === "allow"
  return {
    criterion: "workflow-changes",
    passed: allowed,
    detail: `${allowed ? "allowed by policy" : "need manual review"}: ${list(changed)}`,
  }
}

const pathsCriterion = (input: EvaluationInput): Criterion => {
  const outside = input.patchSet.files
    .map((f) => f.path)
    .filter((path) => !pathAllowed(path, input.policy.allowedPaths))
  return {
    criterion: "allowed-paths",
    passed: outside.length === 0,
    detail:
      outside.length === 0
        ? `every file within ${input.policy.allowedPaths.join(", ")}`
        : `outside allowedPaths: ${list(outside)}`,
  }
}

const limitsCriterion = (input: EvaluationInput): Criterion => {
  const files = input.patchSet.files.map((file) => ({
    ...file,
    status: file.status ?? "modified",
    additions: 0,
    deletions: 0,
  }))
  const found = patchSetLimitFindings(input.policy.patchSetLimits, files)
  const reasons = [...found.refuse, ...found.review]
  return {
    criterion: "patch-set-limits",
    passed: reasons.length === 0,
    detail:
      reasons.length === 0
        ? "within the size limits, no binary files"
        : `need manual review: ${list(reasons, 3)}`,
  }
}

const riskCriterion = (input: EvaluationInput): Criterion => {
  const risky = input.patchSet.files.filter((file) => file.risk !== undefined)
  return {
    criterion: "high-risk-files",
    passed: risky.length === 0,
    detail:
      risky.length === 0
        ? "no workflow hands secrets to changed code"
        : `need manual review: ${list(
            risky.map((file) => `${file.path} (${file.risk})`),
            3,
          )}`,
  }
}

const headCriterion = (input: EvaluationInput): Criterion => {
  const expected = input.patchSet.headSha
  if (expected === null)
    return { criterion: "head-commit", passed: true, detail: "the PatchSet records no head commit" }
  const same = expected === input.reviewedSha
  return {
    criterion: "head-commit",
    passed: same,
    detail: same
      ? `reviewed the PatchSet's head ${expected.slice(0, 12)}`
      : `reviewed ${input.reviewedSha.slice(0, 12)}, but the PatchSet's head is ${expected.slice(0, 12)}: the branch changed after the agent`,
  }
}

export const evaluatePolicy = (input: EvaluationInput): Evaluation => {
  const score = scoreReviews(input.policy, input.reviews)
  const escalations = [
    dependencyCriterion(input),
    workflowCriterion(input),
    pathsCriterion(input),
    limitsCriterion(input),
    riskCriterion(input),
    headCriterion(input),
  ]
  const mode = input.policy.approvalMode
  const needsHuman = escalations.some((c) => !c.passed)
  const state: MergeDecisionState = !score.passed
    ? "rejected"
    : needsHuman
      ? mode === "fail-closed" || mode === "terminate"
        ? "rejected"
        : "manual-review"
      : mode === "auto-approve"
        ? "accepted"
        : "ready-for-review"
  const approval: Criterion = {
    criterion: "approval-mode",
    passed: state === "accepted" || state === "ready-for-review",
    detail: `${mode}: ${state}`,
  }
  return {
    state,
    weightedScore: score.weightedScore,
    criteria: [...score.criteria, ...escalations, approval],
    score,
  }
}
