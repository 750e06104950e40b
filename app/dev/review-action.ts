// Runs the companion Action's committed bundle the way the reusable review
// workflow runs it on a `pull_request` event, as two jobs: review (a checkout
// of the PR head with history, INPUT_* with action.yml's defaults applied,
// GITHUB_*, and no OIDC request variables) writes the results file; report
// (an empty directory, the OIDC token request endpoint — here a local
// issuer) posts it. Tests and `npm run demo` use it to play the target
// repository's CI. The review job runs in the local bubblewrap sandbox (the
// PR's code never runs on this host); the report job, which runs none of
// it, on the host.
import { spawn } from "node:child_process"
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { LocalIssuer } from "./oidc-issuer/local-issuer.ts"
import { runReviewInSandbox } from "./review-sandbox.ts"

const root = join(import.meta.dirname, "../..")
const bundle = join(root, "action/dist/index.js")

export interface ReviewActionInput {
  /** The repository's clone URL (the token goes in an http.extraheader, never the URL). */
  readonly cloneUrl: string
  /** A read token for the clone, as actions/checkout would use. */
  readonly token: string
  readonly fullName: string
  readonly pullRequest: {
    readonly number: number
    readonly headRef: string
    readonly baseRef: string
  }
  readonly patchplaneUrl: string
  readonly issuer: LocalIssuer
  readonly repositoryId: number
  readonly ownerId: number
}

export interface ReviewActionResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  readonly summary: string
  readonly headSha: string
}

const run = (command: string, args: ReadonlyArray<string>, cwd: string, env: NodeJS.ProcessEnv) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(command, args, { cwd, env })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()))
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()))
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  })

export const runReviewAction = async (input: ReviewActionInput): Promise<ReviewActionResult> => {
  const temp = await mkdtemp(join(tmpdir(), "pp-action-"))
  // The sandbox's unprivileged uid reaches the checkout inside it.
  await chmod(temp, 0o755)
  try {
    const workspace = join(temp, "repo")
    const header = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${input.token}`).toString("base64")}`
    const origin = new URL(input.cloneUrl).origin
    // Async: the git host may be served by this very process (the stand-in).
    const git = async (args: ReadonlyArray<string>, cwd: string) => {
      const result = await run("git", args, cwd, process.env)
      if (result.code !== 0) throw new Error(`git ${args[0] ?? ""} failed: ${result.stderr}`)
      return result.stdout.trim()
    }
    await git(
      [
        "-c",
        `http.${origin}/.extraheader=${header}`,
        "clone",
        "--quiet",
        "--branch",
        input.pullRequest.headRef,
        input.cloneUrl,
        workspace,
      ],
      temp,
    )
    const headSha = await git(["rev-parse", "HEAD"], workspace)
    // The sandbox clones this checkout: its base must be a branch here to reach it there.
    await git(
      ["branch", input.pullRequest.baseRef, `origin/${input.pullRequest.baseRef}`],
      workspace,
    )
    const summary = join(temp, "summary.md")
    const output = join(temp, "output.txt")
    const event = join(temp, "event.json")
    await writeFile(summary, "")
    await writeFile(output, "")
    const pr = input.pullRequest
    await writeFile(
      event,
      JSON.stringify({
        pull_request: {
          number: pr.number,
          head: { sha: headSha, ref: pr.headRef },
          base: { ref: pr.baseRef },
        },
      }),
    )
    input.issuer.claims = {
      repository: input.fullName,
      repository_id: String(input.repositoryId),
      repository_owner_id: String(input.ownerId),
      ref: `refs/pull/${pr.number}/merge`,
      head_ref: pr.headRef,
      event_name: "pull_request",
    }
    const results = join(temp, "results.json")
    // What both jobs of the workflow run see of the event.
    const job = {
      CI: "true",
      GITHUB_ACTIONS: "true",
      GITHUB_REPOSITORY: input.fullName,
      GITHUB_EVENT_NAME: "pull_request",
      GITHUB_HEAD_REF: pr.headRef,
      GITHUB_BASE_REF: pr.baseRef,
      GITHUB_REF: `refs/pull/${pr.number}/merge`,
      GITHUB_SHA: headSha,
      GITHUB_SERVER_URL: "https://github.com",
      GITHUB_RUN_ID: "1",
      "INPUT_RUN-ID": "",
      "INPUT_PATCH-SET-ID": "",
      "INPUT_WORKING-DIRECTORY": "",
    }
    // The review job: runs the PR's code, with no id-token permission (so no
    // ACTIONS_ID_TOKEN_REQUEST_* at all), in the local sandbox, never on this host.
    const review = await runReviewInSandbox({
      checkout: workspace,
      env: {
        ...job,
        "INPUT_POLICY-PATH": ".github/patchplane.yml",
        INPUT_REVIEWERS: "",
        "INPUT_TEST-COMMAND": "npm test",
        "INPUT_BASE-REF": "",
        "INPUT_TIMEOUT-SECONDS": "120",
      },
      event: JSON.parse(await readFile(event, "utf8")),
      resultsFile: results,
      summaryFile: summary,
      outputFile: output,
    })
    if (review.code !== 0) return { ...review, summary: await readFile(summary, "utf8"), headSha }
    // The report job: no checkout (an empty directory), the token, the post.
    const empty = join(temp, "report")
    await mkdir(empty)
    const result = await run(process.execPath, [bundle], empty, {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/root",
      ...job,
      GITHUB_WORKSPACE: empty,
      GITHUB_EVENT_PATH: event,
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_OUTPUT: output,
      RUNNER_TEMP: temp,
      "INPUT_RESULTS-PATH": results,
      ACTIONS_ID_TOKEN_REQUEST_URL: input.issuer.requestUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: input.issuer.requestToken,
      INPUT_MODE: "report",
      "INPUT_PATCHPLANE-URL": input.patchplaneUrl,
      INPUT_AUDIENCE: "patchplane",
    })
    return { ...result, summary: await readFile(summary, "utf8"), headSha }
  } finally {
    await rm(temp, { recursive: true, force: true })
  }
}
