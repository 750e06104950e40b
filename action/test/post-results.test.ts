// Posting to PatchPlane: the body the endpoint expects, retries on 5xx and
// network errors, no retry on 4xx.
import { createServer, type IncomingMessage } from "node:http"
import type { AddressInfo } from "node:net"
import { describe, expect, it } from "vitest"
import { reviewerErrorFinding } from "@patchplane/domain"
import type { ReviewOutcome } from "../src/fan-out.ts"
import { PostError, postResults, resultsBody } from "../src/post-results.ts"

const outcome: ReviewOutcome = {
  reviewer: "tests",
  passed: false,
  score: 0,
  comments: "tests reviewer errored: timed out",
  findings: [
    { file: "a.js", line: 1, severity: "info", message: "note" },
    reviewerErrorFinding("timed out"),
  ],
  durationMs: 12,
  error: "timed out",
  log: "",
}

const read = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let text = ""
    req.on("data", (c: Buffer) => (text += c.toString()))
    req.on("end", () => resolve(text))
  })

const serve = async (answers: number[]) => {
  const seen: Array<{ auth: string | undefined; body: unknown; url: string | undefined }> = []
  const server = createServer(async (req, res) => {
    seen.push({ auth: req.headers.authorization, body: JSON.parse(await read(req)), url: req.url })
    const status = answers.shift() ?? 200
    res.writeHead(status, { "content-type": "application/json" })
    res.end(
      JSON.stringify(
        status === 200
          ? { decision: { state: "rejected" } }
          : { error: { code: "x", message: "no" } },
      ),
    )
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => server.close(),
  }
}

const runId = "8f7c2a10-0000-4000-8000-000000000001"

describe("postResults", () => {
  it("sends the ReviewRuns with the token, worst findings first, retrying a 5xx", async () => {
    const server = await serve([503, 200])
    try {
      const body = resultsBody([outcome], "a".repeat(40), {
        patchSetId: null,
        logRef: "https://log",
      })
      const answer = await postResults({ url: server.url, runId, token: "jwt" }, body, {
        backoffMs: 1,
      })
      expect(answer.decision?.state).toBe("rejected")
      expect(server.seen).toHaveLength(2)
      expect(server.seen[0]).toMatchObject({
        auth: "Bearer jwt",
        url: `/api/runs/${runId}/reviews`,
      })
      expect(server.seen[1]?.body).toEqual({
        headSha: "a".repeat(40),
        reviewRuns: [
          {
            reviewer: "tests",
            passed: false,
            score: 0,
            comments: "tests reviewer errored: timed out",
            findings: [outcome.findings[1], outcome.findings[0]],
            logRef: "https://log",
            artifactRefs: [],
          },
        ],
      })
    } finally {
      server.close()
    }
  })

  it("does not retry a refusal and reports why", async () => {
    const server = await serve([403])
    try {
      const body = resultsBody([outcome], "a".repeat(40), { patchSetId: null, logRef: null })
      await expect(
        postResults({ url: server.url, runId, token: "jwt" }, body, { backoffMs: 1 }),
      ).rejects.toThrow(PostError)
      expect(server.seen).toHaveLength(1)
    } finally {
      server.close()
    }
  })

  it("gives up after its attempts when PatchPlane is unreachable", async () => {
    const body = resultsBody([outcome], "a".repeat(40), { patchSetId: null, logRef: null })
    await expect(
      postResults({ url: "http://127.0.0.1:9", runId, token: "jwt" }, body, {
        attempts: 2,
        backoffMs: 1,
      }),
    ).rejects.toThrow(/cannot reach PatchPlane/)
  })
})
