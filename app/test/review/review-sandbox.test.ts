// The demo's review job in the local bubblewrap sandbox: the PR's tests run
// as an unprivileged user with no OIDC request variables anywhere in reach
// (own environment or any ancestor's /proc/<pid>/environ) and no view of
// the host's files; the results file still comes back for the report job.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  changeFiles,
  createFixtureRepo,
  type FixtureRepo,
} from "../../../action/test/fixture-repo.ts"
import { runReviewInSandbox } from "../../dev/review-sandbox.ts"

const runId = "5d1b6f0e-0000-4000-8000-00000000abcd"
let repo: FixtureRepo
let host: string

// A test the agent wrote: it fails, naming in its title what it could reach.
const probe = (marker: string) =>
  [
    'import { existsSync, readFileSync } from "node:fs"',
    'import test from "node:test"',
    'const hits = Object.keys(process.env).filter((k) => k.startsWith("ACTIONS_ID_TOKEN_REQUEST"))',
    "let read = 0",
    "for (let pid = process.ppid; pid > 1; ) {",
    "  try {",
    '    const environ = readFileSync(`/proc/${pid}/environ`, "latin1")',
    "    read++",
    '    for (const v of environ.split("\\0")) if (v.startsWith("ACTIONS_ID_TOKEN_REQUEST")) hits.push(v)',
    '    pid = Number(readFileSync(`/proc/${pid}/stat`, "latin1").split(") ")[1]?.split(" ")[1])',
    "  } catch { break }",
    "}",
    `const seen = existsSync(${JSON.stringify(marker)}) ? "yes" : "no"`,
    'test(`probe uid=${process.getuid()} hits=${hits.length} read=${read} host=${seen}`, () => { throw new Error("probe") })',
    "",
  ].join("\n")

beforeAll(async () => {
  host = await mkdtemp(join(tmpdir(), "pp-host-"))
  await writeFile(join(host, "marker"), "on the host")
  repo = await createFixtureRepo(runId, {
    change: { ...changeFiles, "test/probe.test.js": probe(join(host, "marker")) },
  })
})
afterAll(async () => {
  await repo?.remove()
  await rm(host, { recursive: true, force: true })
})

describe("the demo's review job", () => {
  it("runs the PR's tests in the sandbox: unprivileged, no OIDC variables, no host files", async () => {
    const out = await mkdtemp(join(tmpdir(), "pp-review-out-"))
    try {
      const result = await runReviewInSandbox({
        checkout: repo.dir,
        env: {
          CI: "true",
          GITHUB_ACTIONS: "true",
          GITHUB_REPOSITORY: "octo/demo",
          GITHUB_EVENT_NAME: "pull_request",
          GITHUB_HEAD_REF: repo.branch,
          GITHUB_BASE_REF: "main",
          GITHUB_SHA: repo.headSha,
          "INPUT_POLICY-PATH": ".github/patchplane.yml",
          INPUT_REVIEWERS: "tests",
          "INPUT_TEST-COMMAND": "npm test",
          "INPUT_BASE-REF": "",
          "INPUT_TIMEOUT-SECONDS": "60",
          "INPUT_RUN-ID": "",
          "INPUT_PATCH-SET-ID": "",
          "INPUT_WORKING-DIRECTORY": "",
        },
        event: { pull_request: { number: 1, head: { sha: repo.headSha, ref: repo.branch } } },
        resultsFile: join(out, "results.json"),
        summaryFile: join(out, "summary.md"),
        outputFile: join(out, "output.txt"),
      })
      expect(result.code).toBe(0)
      const results = JSON.parse(await readFile(join(out, "results.json"), "utf8")) as {
        headSha: string
        body: { reviewRuns: Array<{ reviewer: string; findings: Array<{ message: string }> }> }
      }
      expect(results.headSha).toBe(repo.headSha)
      const messages = results.body.reviewRuns
        .find((r) => r.reviewer === "tests")
        ?.findings.map((f) => f.message)
      const probed = messages?.find((m) => m.includes("probe uid="))
      const found = /uid=(\d+) hits=(\d+) read=(\d+) host=(\w+)/.exec(probed ?? "")
      expect(found, `the probe's report among ${JSON.stringify(messages)}`).not.toBeNull()
      const [, uid, hits, read, seen] = found ?? []
      expect(Number(uid)).not.toBe(0)
      expect(Number(hits)).toBe(0)
      expect(Number(read)).toBeGreaterThanOrEqual(1)
      expect(seen).toBe("no")
      // The agent's other test failed as it should: the review itself ran.
      expect(messages).toContainEqual(expect.stringContaining("subtracts"))
    } finally {
      await rm(out, { recursive: true, force: true })
    }
  }, 120_000)
})
