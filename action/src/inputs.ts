// The Action's inputs (action.yml) and what it reads from the runner's
// environment: which run this is (branch patchplane/<run-id>), the base
// branch and the pull request's head commit.
import { readFileSync } from "node:fs"
import { type ReviewerName, reviewerNames } from "@patchplane/domain"
import { type Env, getInput } from "./toolkit.ts"

/**
 * review: run the reviewers (the code under review runs here, so the job has
 * no id-token permission) and write the results file; report: read that file
 * in a job that runs none of the PR's code, mint the OIDC token and post.
 */
export type ActionMode = "review" | "report"

export interface ActionInputs {
  readonly mode: ActionMode
  /** Where review writes its results and report reads them. */
  readonly resultsPath: string
  /** Null: run the reviewers but post nowhere. */
  readonly patchplaneUrl: string | null
  readonly policyPath: string
  /** Null: the reviewers the policy lists. */
  readonly reviewers: ReadonlyArray<ReviewerName> | null
  readonly testCommand: string
  readonly oxlintCommand: string
  readonly baseRef: string
  readonly timeoutSeconds: number
  readonly runId: string | null
  readonly patchSetId: string | null
  readonly audience: string
  readonly workingDirectory: string
}

export class InputError extends Error {}

const RUN_BRANCH = /^patchplane\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i

/** The run id from the PR's head branch (pull_request) or the pushed branch. */
export const runIdFromEnv = (env: Env): string | null =>
  RUN_BRANCH.exec(env.GITHUB_HEAD_REF ?? "")?.[1] ??
  RUN_BRANCH.exec(env.GITHUB_REF_NAME ?? "")?.[1] ??
  null

/** pull_request.head.sha from the event payload, when the event has one. */
export const eventHeadSha = (env: Env): string | undefined => {
  const path = env.GITHUB_EVENT_PATH
  if (path === undefined || path === "") return undefined
  try {
    const event = JSON.parse(readFileSync(path, "utf8")) as {
      pull_request?: { head?: { sha?: unknown } }
    }
    const sha = event.pull_request?.head?.sha
    return typeof sha === "string" ? sha : undefined
  } catch {
    return undefined
  }
}

const parseReviewers = (raw: string): ReadonlyArray<ReviewerName> | null => {
  if (raw === "") return null
  const names = raw.split(/[\s,]+/).filter((n) => n !== "")
  const known = new Set<string>(reviewerNames)
  const unknown = names.filter((n) => !known.has(n))
  if (unknown.length > 0)
    throw new InputError(
      `reviewers: unknown ${unknown.join(", ")} (choose from ${reviewerNames.join(", ")})`,
    )
  return reviewerNames.filter((n) => names.includes(n))
}

export const readInputs = (env: Env): ActionInputs => {
  const input = (name: string, fallback = "") => getInput(env, name) || fallback
  const url = input("patchplane-url")
  if (url !== "" && !/^https?:\/\/[^\s/]+/.test(url))
    throw new InputError(`patchplane-url: expected an http(s) URL, got ${url}`)
  const timeout = Number(input("timeout-seconds", "600"))
  if (!Number.isFinite(timeout) || timeout <= 0)
    throw new InputError(
      `timeout-seconds: expected a positive number, got ${input("timeout-seconds")}`,
    )
  const mode = input("mode", "review")
  if (mode !== "review" && mode !== "report")
    throw new InputError(`mode: expected review or report, got ${mode}`)
  const baseRef = input("base-ref", env.GITHUB_BASE_REF ?? "")
  if (baseRef === "" && mode === "review")
    throw new InputError("base-ref: not a pull_request event; set base-ref to the target branch")
  const runId = input("run-id") || runIdFromEnv(env)
  const patchSetId = input("patch-set-id")
  return {
    mode,
    resultsPath: input(
      "results-path",
      `${env.RUNNER_TEMP ?? process.cwd()}/patchplane-review/results.json`,
    ),
    patchplaneUrl: url === "" ? null : url.replace(/\/+$/, ""),
    policyPath: input("policy-path", ".github/patchplane.yml"),
    reviewers: parseReviewers(input("reviewers")),
    testCommand: input("test-command", "npm test"),
    oxlintCommand: input("oxlint-command", "npx --yes oxlint@1.94.0"),
    baseRef: baseRef.replace(/^refs\/heads\//, ""),
    timeoutSeconds: timeout,
    runId: runId === "" ? null : runId,
    patchSetId: patchSetId === "" ? null : patchSetId,
    audience: input("audience", "patchplane"),
    workingDirectory: input("working-directory", env.GITHUB_WORKSPACE ?? process.cwd()),
  }
}
