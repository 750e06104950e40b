// Scenario: webhook ingest. The same signed deliveries, at the same
// concurrency, against (a) a bare Probot app with a no-op handler and (b)
// PatchPlane's intake recording every delivery on PostgreSQL. Both servers run
// as child processes of this one; after a warm-up each, the measured load is
// sent in alternating slices (bare, ours, bare, ours…) so that both see the
// same drift in the machine's load.
import { generateKeyPairSync } from "node:crypto"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import examples from "@octokit/webhooks-examples" with { type: "json" }
import { createTestDatabase } from "@patchplane/db/testing"
import { startServer, stopServer } from "./children.ts"
import { mergeResults, sendDeliveries, type LoadResult } from "./load.ts"
import type { BenchRow } from "./report.ts"

const SECRET = "bench-secret"

const commentPayload = () => {
  const group = (
    examples as unknown as ReadonlyArray<{ name: string; examples: Array<Record<string, unknown>> }>
  ).find((e) => e.name === "issue_comment")
  const payload = structuredClone(group?.examples.find((e) => e.action === "created") ?? {})
  // An ordinary comment (no command): the intake records it and finds nothing to do.
  ;(payload.comment as { body: string }).body = "Thanks, this looks good to me."
  payload.installation = { id: 957387 }
  return JSON.stringify(payload)
}

export const webhookIngest = async (options: {
  count: number
  concurrency: number
}): Promise<BenchRow[]> => {
  const dir = await mkdtemp(join(tmpdir(), "pp-bench-"))
  const db = await createTestDatabase("bench")
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  })
  const keyPath = join(dir, "app.pem")
  await writeFile(keyPath, privateKey)
  await writeFile(
    join(dir, "patchplane.config.json"),
    JSON.stringify({
      server: { port: 0, logLevel: "silent" },
      github: { appId: 1, privateKey: { file: "app.pem" }, webhookSecret: SECRET },
    }),
  )
  const body = commentPayload()
  const warmUp = Math.min(300, Math.ceil(options.count / 4))
  const SLICES = 4
  const slice = Math.ceil(options.count / SLICES)
  const load = (url: string, count: number) =>
    sendDeliveries({
      url,
      secret: SECRET,
      event: "issue_comment",
      body,
      concurrency: options.concurrency,
      count,
    })
  try {
    const bareServer = await startServer("bare-probot-server.ts", [keyPath, SECRET])
    const ourServer = await startServer("patchplane-server.ts", [dir, db.url]).catch(
      async (error: unknown) => {
        await stopServer(bareServer.child)
        throw error
      },
    )
    const bareSlices: LoadResult[] = []
    const ourSlices: LoadResult[] = []
    try {
      await load(bareServer.url, warmUp)
      await load(ourServer.url, warmUp)
      for (let i = 0; i < SLICES; i++) {
        bareSlices.push(await load(bareServer.url, slice))
        ourSlices.push(await load(ourServer.url, slice))
      }
    } finally {
      await stopServer(bareServer.child)
      await stopServer(ourServer.child)
    }
    const bare = mergeResults(bareSlices)
    const ours = mergeResults(ourSlices)
    const stored = await db.pool.query("SELECT count(*)::int AS n FROM webhook_deliveries")
    const expected = ours.count + warmUp
    if (stored.rows[0].n !== expected)
      throw new Error(`expected ${expected} stored deliveries, found ${stored.rows[0].n}`)
    if (bare.errors + ours.errors > 0)
      throw new Error(`non-2xx answers: bare ${bare.errors}, patchplane ${ours.errors}`)
    const name = `webhook-ingest (${options.count} @ ${options.concurrency})`
    return [
      {
        name,
        metric: "throughput",
        value: ours.perSecond,
        unit: "deliveries/s",
        target: ">= 0.8",
        baseline: bare.perSecond,
        ratio: ours.perSecond / bare.perSecond,
      },
      {
        name,
        metric: "p99 latency",
        value: ours.p99Ms,
        unit: "ms",
        target: "<= 1.25",
        baseline: bare.p99Ms,
        ratio: ours.p99Ms / bare.p99Ms,
      },
      {
        name,
        metric: "p50 latency",
        value: ours.p50Ms,
        unit: "ms",
        target: null,
        baseline: bare.p50Ms,
        ratio: ours.p50Ms / bare.p50Ms,
      },
    ]
  } finally {
    await db.drop()
    await rm(dir, { recursive: true, force: true })
  }
}
