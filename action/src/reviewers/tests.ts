// tests: the repository's test command (input `test-command`, default
// `npm test`) with the job's credentials withheld. Pass/fail is the exit
// code; counts and failing tests are parsed where the runner prints them.
import type { Finding } from "@patchplane/domain"
import { runCommand } from "../process.ts"
import { parseFailures, parseTestCounts } from "./test-output.ts"
import { clampScore, type Reviewer } from "./types.ts"

export const testsReviewer: Reviewer = async (ctx) => {
  const result = await runCommand(ctx.testCommand, {
    cwd: ctx.cwd,
    env: ctx.env,
    signal: ctx.signal,
  })
  if (result.aborted) throw new Error("the test command was stopped")
  const output = `${result.stdout}\n${result.stderr}`
  const counts = parseTestCounts(output)
  const passed = result.exitCode === 0
  const tally =
    counts === null
      ? "no test counts printed"
      : `${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`
  const failures: Finding[] = passed ? [] : [...parseFailures(output)]
  if (!passed && failures.length === 0)
    failures.push({
      file: "",
      line: null,
      severity: "error",
      message: `\`${ctx.testCommand}\` failed (exit ${result.exitCode ?? result.signal}); see the job log`,
    })
  const total = counts === null ? 0 : counts.passed + counts.failed
  // A failing run never scores 1, even if the counts look clean (coverage gates, crashes).
  const score = passed
    ? 1
    : total > 0 && counts !== null
      ? Math.min(0.99, counts.passed / total)
      : 0
  return {
    score: clampScore(score),
    comments: `\`${ctx.testCommand}\` ${passed ? "passed" : `failed (exit ${result.exitCode ?? result.signal})`}: ${tally}`,
    findings: failures,
    log: output,
  }
}
