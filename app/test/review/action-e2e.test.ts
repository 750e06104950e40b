// End to end: the committed bundle (node action/dist/index.js) runs as the
// reusable workflow's two jobs run it, with the environment GitHub gives a
// JavaScript action (INPUT_*, GITHUB_*): review mode, in a job without
// id-token permission, against a fixture repo with a real oxlint finding and
// a failing test; then report mode, in an empty directory with the OIDC
// token request endpoint (a loopback fake). The ReviewRuns arrive at a
// PatchPlane review endpoint on a real database, and a decision is recorded.
import { spawn } from "node:child_process"
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { insertPatchSet, listMergeDecisions, listReviewRuns } from "@patchplane/db"
import { createTestDatabase, type TestDatabase } from "@patchplane/db/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  changeFiles,
  createFixtureRepo,
  type FixtureRepo,
} from "../../../action/test/fixture-repo.ts"
import { type LocalIssuer, startLocalIssuer } from "../../dev/oidc-issuer/local-issuer.ts"
import { type ReviewServer, startReviewServer } from "./review-server.ts"
import { type SeededRun, seedRun } from "./seed.ts"

const root = join(import.meta.dirname, "../../..")
const bundle = join(root, "action/dist/index.js")
const oxlint = join(root, "node_modules/.bin/oxlint")

let db: TestDatabase
let issuer: LocalIssuer
let server: ReviewServer
let run: SeededRun
let repo: FixtureRepo

// The code under review hunts for the OIDC request variables the way the
// forged reports did: in its own environment and in /proc/<pid>/environ of
// its parent and every ancestor it can read. It records what it found.
const envProbe = [
  'import { readFileSync, writeFileSync } from "node:fs"',
  'import test from "node:test"',
  'test("probe", () => {',
  '  const hits = Object.keys(process.env).filter((k) => k.startsWith("ACTIONS_ID_TOKEN_REQUEST"))',
  "  let read = 0",
  "  for (let pid = process.ppid; pid > 1; ) {",
  "    try {",
  '      const environ = readFileSync(`/proc/${pid}/environ`, "latin1")',
  "      read++",
  '      for (const v of environ.split("\\0")) if (v.startsWith("ACTIONS_ID_TOKEN_REQUEST")) hits.push(`${pid}:${v.split("=")[0]}`)',
  '      pid = Number(readFileSync(`/proc/${pid}/stat`, "latin1").split(") ")[1]?.split(" ")[1])',
  "    } catch { break }",
  "  }",
  '  writeFileSync("env-seen.json", JSON.stringify({ hits, read }))',
  "})",
  "",
].join("\n")

beforeAll(async () => {
  db = await createTestDatabase("review_e2e")
  issuer = await startLocalIssuer({ repository: "placeholder/placeholder" })
  server = await startReviewServer(db.db, issuer.url)
  // The branch carries the run id: seed the run, build the repo, then record its PatchSet.
  const seeded = await seedRun(db.db, { withoutPatchSet: true })
  repo = await createFixtureRepo(seeded.runId, {
    change: { ...changeFiles, "test/env.test.js": envProbe },
  })
  const patchSet = await insertPatchSet(db.db, {
    workflowRunId: seeded.runId,
    branch: repo.branch,
    baseSha: repo.baseSha,
    headSha: repo.headSha,
    files: ["src/math.js", "test/subtract.test.js", "test/env.test.js"].map((path) => ({
      path,
      status: "modified",
      additions: 1,
      deletions: 0,
    })),
    diffSummary: { filesChanged: 3, additions: 3, deletions: 0 },
  })
  run = { ...seeded, patchSetId: patchSet.id }
  issuer.claims = {
    repository: run.fullName,
    repository_id: String(run.githubRepoId),
    repository_owner_id: String(run.accountId),
    ref: "refs/pull/42/merge",
    head_ref: repo.branch,
    event_name: "pull_request",
  }
})

afterAll(async () => {
  await server?.stop()
  await issuer?.stop()
  await repo?.remove()
  await db?.drop()
})

const runAction = async (cwd: string, env: Record<string, string>) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [bundle], { cwd, env })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()))
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()))
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  })

describe("the companion Action end to end", () => {
  it("reviews the fixture in parallel and its ReviewRuns reach PatchPlane", async () => {
    const summary = join(repo.dir, "..", `${run.runId}-summary.md`)
    const output = join(repo.dir, "..", `${run.runId}-output.txt`)
    const event = join(repo.dir, "..", `${run.runId}-event.json`)
    await writeFile(summary, "")
    await writeFile(output, "")
    await writeFile(
      event,
      JSON.stringify({
        pull_request: { number: 42, head: { sha: repo.headSha, ref: repo.branch } },
      }),
    )
    const runner = {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/root",
      CI: "true",
      GITHUB_ACTIONS: "true",
      GITHUB_WORKSPACE: repo.dir,
      GITHUB_REPOSITORY: run.fullName,
      GITHUB_EVENT_NAME: "pull_request",
      GITHUB_EVENT_PATH: event,
      GITHUB_HEAD_REF: repo.branch,
      GITHUB_BASE_REF: "main",
      GITHUB_REF: "refs/pull/42/merge",
      GITHUB_SHA: repo.headSha,
      GITHUB_SERVER_URL: "https://github.com",
      GITHUB_RUN_ID: "4242",
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_OUTPUT: output,
      RUNNER_TEMP: join(repo.dir, ".."),
      // As the runner passes inputs: defaults from action.yml applied, hyphens kept.
      "INPUT_RESULTS-PATH": join(repo.dir, "..", `${run.runId}-artifact`, "results.json"),
      "INPUT_RUN-ID": "",
      "INPUT_PATCH-SET-ID": "",
      "INPUT_WORKING-DIRECTORY": "",
    }
    // Job 1, review: no id-token permission, so the runner sets no ACTIONS_ID_TOKEN_REQUEST_*.
    const reviewed = await runAction(repo.dir, {
      ...runner,
      INPUT_MODE: "review",
      "INPUT_POLICY-PATH": ".github/patchplane.yml",
      INPUT_REVIEWERS: "",
      "INPUT_TEST-COMMAND": "npm test",
      "INPUT_OXLINT-COMMAND": oxlint,
      "INPUT_BASE-REF": "",
      "INPUT_TIMEOUT-SECONDS": "60",
    })
    expect(reviewed.stderr).toBe("")
    expect(reviewed.code).toBe(0) // results written; the report job judges
    expect(issuer.requestedAudiences).toEqual([])
    // Job 2, report: an empty directory (no checkout), the token, the post.
    const empty = await mkdtemp(join(tmpdir(), "pp-report-"))
    const result = await runAction(empty, {
      ...runner,
      GITHUB_WORKSPACE: empty,
      ACTIONS_ID_TOKEN_REQUEST_URL: issuer.requestUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: issuer.requestToken,
      INPUT_MODE: "report",
      "INPUT_PATCHPLANE-URL": server.url,
      INPUT_AUDIENCE: "patchplane",
    })
    await rm(empty, { recursive: true, force: true })
    result.stdout = `${reviewed.stdout}${result.stdout}`
    expect(result.stderr).toBe("")
    // The failing test fails the job; the findings are annotated on the diff lines.
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(
      /^::warning file=src\/math\.js,line=2,title=PatchPlane lint \(eslint\(no-unused-vars\)\)::/m,
    )
    expect(result.stdout).toMatch(
      /^::error file=test\/subtract\.test\.js,line=4,title=PatchPlane tests::failing test: subtracts/m,
    )
    expect(issuer.requestedAudiences).toEqual(["patchplane"])

    const rows = await listReviewRuns(db.db, run.patchSetId)
    expect(rows.map((r) => r.reviewer)).toEqual(["lint", "quality", "security", "tests"])
    const lint = rows.find((r) => r.reviewer === "lint")
    expect(lint?.findings).toContainEqual(
      expect.objectContaining({
        file: "src/math.js",
        line: 2,
        severity: "warning",
        rule: "eslint(no-unused-vars)",
      }),
    )
    const tests = rows.find((r) => r.reviewer === "tests")
    expect(tests).toMatchObject({
      passed: false,
      logRef: `https://github.com/${run.fullName}/actions/runs/4242`,
    })
    expect(tests?.comments).toMatch(/2 passed, 1 failed/)
    const [decision] = await listMergeDecisions(db.db, run.runId)
    expect(decision?.state).toBe("rejected")
    expect(decision?.criteria).toContainEqual(
      expect.objectContaining({ criterion: "reviewer:tests", passed: false }),
    )
    expect(decision?.criteria).toContainEqual(
      expect.objectContaining({ criterion: "head-commit", passed: true }),
    )

    const summaryText = await readFile(summary, "utf8")
    expect(summaryText).toContain("| Reviewer | Result | Score |")
    expect(summaryText).toContain("PatchPlane decision for run")
    expect(await readFile(output, "utf8")).toMatch(/^decision<<ghadelimiter_[\w-]+\nrejected\n/m)
    // The code under review found no OIDC request variable, in its own
    // environment or any ancestor's (it read at least its parent's).
    const seen = JSON.parse(await readFile(join(repo.dir, "env-seen.json"), "utf8")) as {
      hits: string[]
      read: number
    }
    expect(seen.hits).toEqual([])
    expect(seen.read).toBeGreaterThanOrEqual(1)
  })
})
