// quality: how big the change is, whether it stays inside the policy's
// allowedPaths, and whether code changes come with test changes.
import { type Finding, pathAllowed } from "@patchplane/domain"
import { clampScore, type Reviewer } from "./types.ts"

const TEST_FILE =
  /(^|\/)(__tests__|tests?|spec|specs)\/|\.(test|spec)\.[cm]?[jt]sx?$|_test\.(go|py|rb|exs)$|(^|\/)test_[^/]+\.py$|Tests?\.(java|kt|cs|swift)$/

const CODE_FILE =
  /\.([cm]?[jt]sx?|py|go|rs|rb|java|kt|kts|scala|cs|fs|php|swift|c|cc|cpp|h|hpp|m|ex|exs|dart|lua|sh|vue|svelte)$/

export const isTestFile = (path: string) => TEST_FILE.test(path)
export const isCodeFile = (path: string) => CODE_FILE.test(path) && !isTestFile(path)

/** Changed lines above which a change is hard to review well. */
export const LARGE_DIFF = 1_000
export const HUGE_DIFF = 3_000

export const qualityReviewer: Reviewer = async (ctx) => {
  const { files } = ctx.diff
  const findings: Finding[] = []
  let score = 1

  const changed = files.reduce((sum, f) => sum + f.additions + f.deletions, 0)
  if (changed > HUGE_DIFF) {
    score -= 0.4
    findings.push({
      file: "",
      line: null,
      severity: "error",
      message: `${changed} changed lines in ${files.length} files: split the change`,
      rule: "patchplane/diff-size",
    })
  } else if (changed > LARGE_DIFF) {
    score -= 0.2
    findings.push({
      file: "",
      line: null,
      severity: "warning",
      message: `${changed} changed lines in ${files.length} files: a large change`,
      rule: "patchplane/diff-size",
    })
  }

  const outside = files.filter((f) => !pathAllowed(f.path, ctx.policy.allowedPaths))
  if (outside.length > 0) score -= 0.5
  for (const f of outside)
    findings.push({
      file: f.path,
      line: null,
      severity: "error",
      message: `outside the policy's allowedPaths (${ctx.policy.allowedPaths.join(", ")})`,
      rule: "patchplane/allowed-paths",
    })

  const code = files.filter((f) => f.status !== "deleted" && f.additions > 0 && isCodeFile(f.path))
  const tests = files.filter((f) => f.status !== "deleted" && isTestFile(f.path))
  if (code.length > 0 && tests.length === 0) {
    score -= 0.3
    findings.push({
      file: "",
      line: null,
      severity: "warning",
      message: `${code.length} code file(s) changed but no test file added or changed`,
      rule: "patchplane/tests-missing",
    })
  }

  return {
    score: clampScore(score),
    comments: `${changed} changed lines in ${files.length} files; ${outside.length} outside allowedPaths; ${code.length} code and ${tests.length} test file(s) changed`,
    findings,
  }
}
