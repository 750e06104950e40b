// A closed-loop load generator: `concurrency` workers send signed deliveries
// back to back over keep-alive connections and record each latency.
import { createHmac, randomUUID } from "node:crypto"
import { Agent, request } from "node:http"

export interface LoadResult {
  readonly count: number
  readonly errors: number
  readonly seconds: number
  readonly perSecond: number
  readonly p50Ms: number
  readonly p99Ms: number
  /** Every latency, sorted (to merge slices of one load). */
  readonly latencies: ReadonlyArray<number>
}

/** One result for several slices of the same load, run at different times. */
export const mergeResults = (slices: ReadonlyArray<LoadResult>): LoadResult => {
  const latencies = slices.flatMap((s) => s.latencies).toSorted((a, b) => a - b)
  const seconds = slices.reduce((sum, s) => sum + s.seconds, 0)
  return {
    count: latencies.length,
    errors: slices.reduce((sum, s) => sum + s.errors, 0),
    seconds,
    perSecond: latencies.length / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    latencies,
  }
}

const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0

const post = (agent: Agent, url: URL, body: string, headers: Record<string, string>) =>
  new Promise<number>((resolve, reject) => {
    const req = request(
      {
        agent,
        hostname: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        headers,
      },
      (res) => {
        res.resume()
        res.on("end", () => resolve(res.statusCode ?? 0))
      },
    )
    req.on("error", reject)
    req.end(body)
  })

export const sendDeliveries = async (options: {
  readonly url: string
  readonly secret: string
  readonly event: string
  readonly body: string
  readonly count: number
  readonly concurrency: number
}): Promise<LoadResult> => {
  const url = new URL("/api/github/webhooks", options.url)
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency })
  const signature = `sha256=${createHmac("sha256", options.secret).update(options.body).digest("hex")}`
  const latencies: number[] = []
  let errors = 0
  let next = 0
  const started = performance.now()
  const worker = async () => {
    while (next < options.count) {
      next += 1
      const t0 = performance.now()
      const status = await post(agent, url, options.body, {
        "content-type": "application/json",
        "content-length": String(Buffer.byteLength(options.body)),
        "x-github-event": options.event,
        "x-github-delivery": randomUUID(),
        "x-hub-signature-256": signature,
      }).catch(() => 0)
      latencies.push(performance.now() - t0)
      if (status < 200 || status >= 300) errors += 1
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, worker))
  const seconds = (performance.now() - started) / 1000
  agent.destroy()
  latencies.sort((a, b) => a - b)
  return {
    count: latencies.length,
    errors,
    seconds,
    perSecond: latencies.length / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    latencies,
  }
}
