// Parsers over tool output: test runners' summaries and failures, git's
// unified diff, oxlint's JSON report.
import { describe, expect, it } from "vitest"
import { parseOxlintJson } from "../src/reviewers/lint.ts"
import { parseFailures, parseTestCounts } from "../src/reviewers/test-output.ts"
import { parseAddedLines } from "../src/unified-diff.ts"

describe("test runner output", () => {
  it.each([
    ["node --test (spec)", "ℹ tests 3\nℹ pass 2\nℹ fail 1\nℹ skipped 0\n", [2, 1, 0]],
    ["node --test (TAP)", "# tests 3\n# pass 3\n# fail 0\n# skipped 1\n", [3, 0, 1]],
    ["vitest", "\u001b[2m      Tests \u001b[22m 1 failed | 4 passed | 2 skipped (7)\n", [4, 1, 2]],
    ["jest", "Tests:       1 failed, 2 passed, 3 total\n", [2, 1, 0]],
    ["mocha", "  5 passing (20ms)\n  1 pending\n  2 failing\n", [5, 2, 1]],
    ["pytest", "==== 1 failed, 2 passed, 1 skipped in 0.12s ====\n", [2, 1, 1]],
    ["go test -v", "--- PASS: TestA (0.00s)\n--- FAIL: TestB (0.00s)\nFAIL\n", [1, 1, 0]],
  ])("counts %s", (_, output, [passed, failed, skipped]) => {
    expect(parseTestCounts(output)).toEqual({ passed, failed, skipped })
  })

  it("returns null when nothing is printed it knows", () => {
    expect(parseTestCounts("make: *** [test] Error 1")).toBeNull()
  })

  it("locates failing tests where the runner says where", () => {
    const node =
      "✖ failing tests:\n\ntest at test/a.test.js:4:1\n✖ breaks (1.03ms)\n  AssertionError\n"
    expect(parseFailures(node)).toEqual([
      { file: "test/a.test.js", line: 4, severity: "error", message: "failing test: breaks" },
    ])
    expect(parseFailures(" FAIL  test/b.test.ts > math > adds\n")).toEqual([
      {
        file: "test/b.test.ts",
        line: null,
        severity: "error",
        message: "failing test: math > adds",
      },
    ])
    expect(parseFailures("not ok 2 - parses dates\nnot ok 3 - later # SKIP\n")).toEqual([
      { file: "", line: null, severity: "error", message: "failing test: parses dates" },
    ])
    expect(parseFailures("--- FAIL: TestSum (0.00s)\n")[0]?.message).toBe("failing test: TestSum")
  })
})

describe("unified diff", () => {
  it("numbers added lines in the new file, per hunk, and skips deleted files", () => {
    const diff = [
      "diff --git a/src/a.js b/src/a.js",
      "--- a/src/a.js",
      "+++ b/src/a.js",
      "@@ -1,0 +2,2 @@",
      "+one",
      "+two",
      "@@ -10 +12 @@",
      "-old",
      "+new",
      "diff --git a/gone.txt b/gone.txt",
      "--- a/gone.txt",
      "+++ /dev/null",
      "@@ -1 +0,0 @@",
      "-bye",
      'diff --git "a/na\\303\\257ve.txt" "b/na\\303\\257ve.txt"',
      "--- /dev/null",
      '+++ "b/na\\303\\257ve.txt"',
      "@@ -0,0 +1 @@",
      "++plus",
    ].join("\n")
    const added = parseAddedLines(diff)
    expect(added.get("src/a.js")).toEqual([
      { line: 2, text: "one" },
      { line: 3, text: "two" },
      { line: 12, text: "new" },
    ])
    expect(added.has("gone.txt")).toBe(false)
    expect(added.get("naïve.txt")).toEqual([{ line: 1, text: "+plus" }])
  })
})

describe("oxlint JSON", () => {
  it("reads the diagnostics and refuses output without a report", () => {
    const report =
      '{ "diagnostics": [{"message": "m", "severity": "error"}], "number_of_files": 1 }'
    expect(parseOxlintJson(`warning: something\n${report}\n`)).toHaveLength(1)
    expect(() => parseOxlintJson("Failed to parse config")).toThrow(/no JSON report/)
  })
})
