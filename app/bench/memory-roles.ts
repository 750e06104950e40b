// Scenario: idle memory per role. PatchPlane as a web-only process, a
// worker-only process and one process for both (each a child reporting its
// own process.memoryUsage()), beside two anchors measured the same way: the
// libraries a role must load, imported alone (sdk-floor.ts), and a bare Probot
// app (the webhook anchor). Each is sampled after the same idle time.
import { generateKeyPairSync } from "node:crypto"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createTestDatabase } from "@patchplane/db/testing"
import { median, runForResult, sleep, startServer, stopServer } from "./children.ts"
import { procStatus, sample } from "./memory.ts"
import type { BenchRow } from "./report.ts"

const MB = 1024 * 1024

export const memoryPerRole = async (options: { idleMs: number }): Promise<BenchRow[]> => {
  const db = await createTestDatabase("bench_mem_roles")
  const dir = await mkdtemp(join(tmpdir(), "pp-bench-roles-"))
  await writeFile(
    join(dir, "patchplane.config.json"),
    JSON.stringify({ server: { port: 0, logLevel: "silent" } }),
  )
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  })
  const keyPath = join(dir, "app.pem")
  await writeFile(keyPath, privateKey)

  /** Idle RSS of PatchPlane with the given roles: the median of three samples. */
  const idleRss = async (roles: string) => {
    const server = await startServer("memory-server.ts", [dir, db.url, "1000", roles], {
      ipc: true,
    })
    try {
      await sleep(options.idleMs)
      const samples: number[] = []
      for (let i = 0; i < 3; i++) {
        samples.push((await sample(server.child)).rss)
        await sleep(200)
      }
      return median(samples)
    } finally {
      await stopServer(server.child)
    }
  }
  const bareProbotRss = async () => {
    const server = await startServer("bare-probot-server.ts", [keyPath, "secret"])
    try {
      await sleep(options.idleMs)
      return (await procStatus(server.child.pid ?? 0)).rss
    } finally {
      await stopServer(server.child)
    }
  }
  try {
    const floor = (await runForResult<{ rss: number }>("sdk-floor.ts", [String(options.idleMs)]))
      .rss
    const web = await idleRss("web")
    const worker = await idleRss("worker")
    const all = await idleRss("web,worker")
    const probot = await bareProbotRss()
    const name = "memory per role, idle RSS"
    const role = (metric: string, value: number, target: string): BenchRow[] => [
      { name, metric, value: value / MB, unit: "MB", target, baseline: null, ratio: null },
      {
        name,
        metric: `${metric} vs the libraries it must load, alone`,
        value: value / MB,
        unit: "MB",
        target: "<= 1.5",
        baseline: floor / MB,
        ratio: value / floor,
      },
    ]
    return [
      ...role("web", web, "< 150"),
      ...role("worker", worker, "< 250"),
      ...role("all-in-one", all, "< 300"),
      {
        name,
        metric: "all-in-one vs a bare Probot app",
        value: all / MB,
        unit: "MB",
        target: null,
        baseline: probot / MB,
        ratio: all / probot,
      },
    ]
  } finally {
    await db.drop()
    await rm(dir, { recursive: true, force: true })
  }
}
