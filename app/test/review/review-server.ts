// The review endpoint mounted on a loopback server over a real test
// database, the way the main server mounts it.
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import type { Executor } from "@patchplane/db"
import { decodeSyncWith, PolicySpec } from "@patchplane/domain"
import { DEFAULT_REVIEW_WORKFLOWS } from "../../src/review/actions-claims.ts"
import { makeOidcVerifier } from "../../src/review/oidc-verifier.ts"
import {
  createReviewResultsHandler,
  type ReviewDecisionEvent,
  reviewResultsRunId,
} from "../../src/review/review-results-endpoint.ts"

export interface ReviewServer {
  readonly url: string
  readonly decisions: ReviewDecisionEvent[]
  stop(): Promise<void>
}

export const startReviewServer = async (db: Executor, issuerUrl: string): Promise<ReviewServer> => {
  const decisions: ReviewDecisionEvent[] = []
  const handle = createReviewResultsHandler({
    db,
    verifier: makeOidcVerifier({ issuer: issuerUrl, audience: "patchplane" }),
    defaultPolicy: decodeSyncWith(PolicySpec, "policy")({}),
    workflowRefs: DEFAULT_REVIEW_WORKFLOWS,
    onDecision: (event) => void decisions.push(event),
  })
  const server: Server = createServer((req, res) => {
    const runId = reviewResultsRunId(new URL(req.url ?? "/", "http://x").pathname)
    if (runId === null) {
      res.writeHead(404).end()
      return
    }
    handle(req, res, runId).catch((error: unknown) => {
      res.writeHead(500).end(String(error))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    decisions,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
