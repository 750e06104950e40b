// Posts the ReviewRuns to PatchPlane with the job's OIDC token. Network
// failures and 5xx answers are retried; a 4xx is final (the message says why).
import type { ReviewResultsBody } from "@patchplane/domain"
import type { ReviewOutcome } from "./fan-out.ts"

export interface PostTarget {
  readonly url: string
  readonly runId: string
  readonly token: string
}

export interface PatchPlaneAnswer {
  readonly decision?: { readonly state?: string; readonly weightedScore?: number }
}

export class PostError extends Error {}

/** Findings per reviewer PatchPlane accepts (MAX_FINDINGS_PER_REVIEW); the worst are kept. */
const MAX_FINDINGS = 500
const rank = { critical: 0, error: 1, warning: 2, info: 3 } as const

export const resultsBody = (
  outcomes: ReadonlyArray<ReviewOutcome>,
  headSha: string,
  options: { readonly patchSetId: string | null; readonly logRef: string | null },
): ReviewResultsBody => ({
  ...(options.patchSetId === null ? {} : { patchSetId: options.patchSetId }),
  headSha,
  reviewRuns: outcomes.map((o) => ({
    reviewer: o.reviewer,
    passed: o.passed,
    score: o.score,
    comments: o.comments.slice(0, 20_000),
    findings: o.findings
      .toSorted((a, b) => rank[a.severity] - rank[b.severity])
      .slice(0, MAX_FINDINGS),
    logRef: options.logRef,
    artifactRefs: [],
  })),
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export const postResults = async (
  target: PostTarget,
  body: ReviewResultsBody,
  options: { readonly attempts?: number; readonly backoffMs?: number } = {},
): Promise<PatchPlaneAnswer> => {
  const endpoint = `${target.url}/api/runs/${encodeURIComponent(target.runId)}/reviews`
  const attempts = options.attempts ?? 4
  let last = ""
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const res = await fetch(endpoint, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${target.token}` },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      })
      const text = await res.text()
      if (res.ok) return JSON.parse(text) as PatchPlaneAnswer
      last = `PatchPlane answered ${res.status}: ${text.slice(0, 500)}`
      if (res.status < 500) throw new PostError(last)
    } catch (error) {
      if (error instanceof PostError) throw error
      last = `cannot reach PatchPlane at ${target.url}: ${error instanceof Error ? error.message : error}`
    }
    if (attempt < attempts) await sleep((options.backoffMs ?? 2_000) * attempt)
  }
  throw new PostError(last)
}
