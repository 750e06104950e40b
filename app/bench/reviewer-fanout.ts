// Scenario: reviewer fan-out. The companion Action's four reviewers (real
// oxlint, real `node --test`, security, quality) on a fixture repository,
// first each alone, then all four at once as the Action runs them. Target:
// the fan-out's wall time ≤ 1.15 × the slowest reviewer alone (medians).
// Computing the diff is shared by both and left out of the timings.
import { join } from "node:path"
import { decodeSyncWith, PolicySpec, type ReviewerName, reviewerNames } from "@patchplane/domain"
import { runReviewers } from "../../action/src/fan-out.ts"
import { collectDiff } from "../../action/src/git.ts"
import { reviewerEnv } from "../../action/src/process.ts"
import { changeFiles, createFixtureRepo } from "../../action/test/fixture-repo.ts"
import type { BenchRow } from "./report.ts"

const RUN_ID = "8f7c2a10-0000-4000-8000-00000000bench"

// A test suite with some CPU work and some waiting, like most real suites.
const slowTest = [
  'import test from "node:test"',
  'import assert from "node:assert"',
  'test("primes", () => {',
  "  let count = 0",
  "  for (let n = 2; n < 400_000; n++) {",
  "    let prime = true",
  "    for (let d = 2; d * d <= n; d++) if (n % d === 0) { prime = false; break }",
  "    if (prime) count++",
  "  }",
  "  assert.ok(count > 0)",
  "})",
  'test("io", () => new Promise((resolve) => setTimeout(resolve, 600)))',
  "",
].join("\n")

const median = (values: ReadonlyArray<number>) => {
  const sorted = values.toSorted((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? 0
}

export const reviewerFanout = async (options: { iterations: number }): Promise<BenchRow[]> => {
  const repo = await createFixtureRepo(RUN_ID, {
    change: { ...changeFiles, "test/slow.test.js": slowTest },
  })
  try {
    const env = reviewerEnv(process.env)
    const context = {
      cwd: repo.dir,
      env,
      diff: await collectDiff(repo.dir, env, { baseRef: "main" }),
      policy: decodeSyncWith(PolicySpec, "policy")({}),
      oxlintCommand: join(import.meta.dirname, "../../node_modules/.bin/oxlint"),
      testCommand: "node --test",
    }
    const time = async (names: ReadonlyArray<ReviewerName>) => {
      const started = performance.now()
      const outcomes = await runReviewers({ names, context, timeoutMs: 120_000 })
      const errored = outcomes.find((o) => o.error !== null)
      if (errored) throw new Error(errored.error ?? "reviewer errored")
      return performance.now() - started
    }
    await time(reviewerNames) // warm-up: file cache, first oxlint start
    const solo = new Map<ReviewerName, number[]>(reviewerNames.map((n) => [n, []]))
    const fanOut: number[] = []
    for (let i = 0; i < options.iterations; i++) {
      for (const name of reviewerNames) solo.get(name)?.push(await time([name]))
      fanOut.push(await time(reviewerNames))
    }
    const soloMedians = reviewerNames.map((name) => ({ name, ms: median(solo.get(name) ?? []) }))
    const slowest = soloMedians.reduce((a, b) => (b.ms > a.ms ? b : a))
    const wall = median(fanOut)
    return [
      ...soloMedians.map((r): BenchRow => ({
        name: "reviewer-fanout",
        metric: `${r.name} alone`,
        value: r.ms,
        unit: "ms",
        target: null,
        baseline: null,
        ratio: null,
      })),
      {
        name: "reviewer-fanout",
        metric: `all 4 in parallel vs slowest alone (${slowest.name})`,
        value: wall,
        unit: "ms",
        target: "<= 1.15",
        baseline: slowest.ms,
        ratio: wall / slowest.ms,
      },
    ]
  } finally {
    await repo.remove()
  }
}
