// Counts and failing tests from what common runners print: node --test (spec
// and TAP), vitest, jest, mocha, pytest, go test. Best effort: the exit code
// decides pass/fail; these only make the result readable.
import type { Finding } from "@patchplane/domain"

export interface TestCounts {
  readonly passed: number
  readonly failed: number
  readonly skipped: number
}

// ESC [ … m colour codes (built from the char code: no control character in a regex literal).
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g")

const num = (text: string | undefined) => (text === undefined ? 0 : Number(text))

export const parseTestCounts = (raw: string): TestCounts | null => {
  const text = raw.replace(ANSI, "")
  // node --test: "ℹ pass 3" / "# pass 3"
  const nodePass = /^(?:ℹ|#) pass (\d+)$/m.exec(text)
  if (nodePass) {
    return {
      passed: num(nodePass[1]),
      failed: num(/^(?:ℹ|#) fail (\d+)$/m.exec(text)?.[1]),
      skipped: num(/^(?:ℹ|#) skipped (\d+)$/m.exec(text)?.[1]),
    }
  }
  // vitest: "Tests  1 failed | 4 passed | 1 skipped (6)"
  const vitest = /^\s*Tests\s+(.*\(\d+\))\s*$/m.exec(text)
  if (vitest?.[1] !== undefined) {
    const line = vitest[1]
    return {
      passed: num(/(\d+) passed/.exec(line)?.[1]),
      failed: num(/(\d+) failed/.exec(line)?.[1]),
      skipped: num(/(\d+) skipped/.exec(line)?.[1]),
    }
  }
  // jest: "Tests:       1 failed, 2 passed, 3 total"
  const jest = /^Tests:\s+(.*\d+ total)\s*$/m.exec(text)
  if (jest?.[1] !== undefined) {
    const line = jest[1]
    return {
      passed: num(/(\d+) passed/.exec(line)?.[1]),
      failed: num(/(\d+) failed/.exec(line)?.[1]),
      skipped: num(/(\d+) skipped/.exec(line)?.[1]),
    }
  }
  // mocha: "5 passing (20ms)" / "1 failing"
  const mocha = /^\s*(\d+) passing\b/m.exec(text)
  if (mocha) {
    return {
      passed: num(mocha[1]),
      failed: num(/^\s*(\d+) failing\b/m.exec(text)?.[1]),
      skipped: num(/^\s*(\d+) pending\b/m.exec(text)?.[1]),
    }
  }
  // pytest: "==== 1 failed, 2 passed, 1 skipped in 0.12s ===="
  const pytest = /^=+ (.*\b(?:passed|failed)\b.*) in [\d.]+s\b.*=+$/m.exec(text)
  if (pytest?.[1] !== undefined) {
    const line = pytest[1]
    return {
      passed: num(/(\d+) passed/.exec(line)?.[1]),
      failed: num(/(\d+) failed/.exec(line)?.[1]) + num(/(\d+) errors?/.exec(line)?.[1]),
      skipped: num(/(\d+) skipped/.exec(line)?.[1]),
    }
  }
  // go test -v: one "--- PASS"/"--- FAIL" line per test
  const goPass = text.match(/^\s*--- PASS:/gm)?.length ?? 0
  const goFail = text.match(/^\s*--- FAIL:/gm)?.length ?? 0
  if (goPass + goFail > 0)
    return { passed: goPass, failed: goFail, skipped: text.match(/^\s*--- SKIP:/gm)?.length ?? 0 }
  return null
}

const MAX_FAILURES = 50

/** One finding per failing test the output names, with file and line where printed. */
export const parseFailures = (raw: string): ReadonlyArray<Finding> => {
  const text = raw.replace(ANSI, "")
  const lines = text.split("\n")
  const found = new Map<string, Finding>()
  const add = (f: Finding) => {
    if (found.size < MAX_FAILURES) found.set(`${f.file}:${f.line}:${f.message}`, f)
  }
  for (const [i, line] of lines.entries()) {
    // node --test's failure list: "test at test/a.test.js:4:1" then "✖ name (1ms)"
    const at = /^test at (.+?):(\d+):\d+$/.exec(line)
    if (at?.[1] !== undefined) {
      const name = (lines[i + 1] ?? "").replace(/^✖\s*/, "").replace(/\s*\([\d.]+m?s\)\s*$/, "")
      add({ file: at[1], line: Number(at[2]), severity: "error", message: `failing test: ${name}` })
      continue
    }
    // TAP: "not ok 2 - name"
    const tap = /^\s*not ok \d+ - (.+)$/.exec(line)
    if (tap?.[1] !== undefined && !/# (SKIP|TODO)/i.test(tap[1])) {
      add({ file: "", line: null, severity: "error", message: `failing test: ${tap[1]}` })
      continue
    }
    // vitest / jest: " FAIL  test/a.test.ts > suite > name"
    const vitest = /^\s*FAIL\s+(\S+?)(?:\s+>\s+(.+))?$/.exec(line)
    if (vitest?.[1] !== undefined && /\.\w+$/.test(vitest[1])) {
      add({
        file: vitest[1],
        line: null,
        severity: "error",
        message: vitest[2] === undefined ? "failing test file" : `failing test: ${vitest[2]}`,
      })
      continue
    }
    // go: "--- FAIL: TestName (0.00s)"
    const go = /^\s*--- FAIL: (\S+)/.exec(line)
    if (go?.[1] !== undefined)
      add({ file: "", line: null, severity: "error", message: `failing test: ${go[1]}` })
  }
  // node's TAP and its failure list repeat the same test: keep located ones.
  const located = new Set([...found.values()].filter((f) => f.file !== "").map((f) => f.message))
  return [...found.values()].filter((f) => f.file !== "" || !located.has(f.message))
}
