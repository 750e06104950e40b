// The file the review job hands the report job (as a workflow artifact). It
// was written next to the code under review, so the report job trusts none
// of it for identity: the run, the head commit and the token come from the
// report job's own event; this file only carries the reviewers' results,
// and PatchPlane validates those again.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { dirname } from "node:path"
import type { ReviewResultsBody } from "@patchplane/domain"

export interface ResultsFile {
  readonly version: 1
  /** The commit the reviewers ran on. */
  readonly headSha: string
  readonly policySource: string
  readonly body: ReviewResultsBody
  /** The job summary the review job wrote, shown again by the report job. */
  readonly summary: string
}

export class ResultsFileError extends Error {}

export const writeResultsFile = (path: string, results: ResultsFile): void => {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, `${JSON.stringify(results)}\n`)
}

const MAX_BYTES = 4 * 1024 * 1024

export const readResultsFile = (path: string): ResultsFile => {
  let text: string
  try {
    text = readFileSync(path, "utf8")
  } catch (error) {
    throw new ResultsFileError(
      `no review results at ${path} (did the review job upload them?): ${error instanceof Error ? error.message : error}`,
    )
  }
  if (text.length > MAX_BYTES) throw new ResultsFileError(`review results over ${MAX_BYTES} bytes`)
  const parsed = JSON.parse(text) as Partial<ResultsFile>
  if (
    parsed.version !== 1 ||
    typeof parsed.headSha !== "string" ||
    typeof parsed.body !== "object" ||
    parsed.body === null ||
    !Array.isArray(parsed.body.reviewRuns)
  )
    throw new ResultsFileError(`${path} is not a PatchPlane review results file`)
  return {
    version: 1,
    headSha: parsed.headSha,
    policySource: String(parsed.policySource ?? ""),
    body: parsed.body,
    summary: typeof parsed.summary === "string" ? parsed.summary.slice(0, 500_000) : "",
  }
}
