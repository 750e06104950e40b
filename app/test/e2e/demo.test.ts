// `npm run demo` as a newcomer plays with it: the first run starts once the
// dashboard is ready and reaches a decision; runs started afterwards (the
// API, as the dashboard's New run does, and Retry) reach a decision too,
// because the demo's model answers any prompt and the demo plays CI on every
// draft PR; and the demo keeps its own database.
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { resolve } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { freePort } from "../start-process.ts"

const ROOT = resolve(import.meta.dirname, "../../..")
const DEMO = resolve(ROOT, "app/dev/demo.ts")

interface Run {
  readonly id: string
  readonly state: string
  readonly reason: string | null
  readonly pullRequestNumber: number | null
}

let child: ChildProcess | null = null
afterAll(async () => {
  if (child?.pid === undefined || child.exitCode !== null) return
  const exited = new Promise((r) => child?.once("exit", r))
  process.kill(-child.pid, "SIGINT")
  await exited
})

describe("npm run demo", () => {
  it("decides its first run, then runs started from the API and by Retry", async () => {
    const port = await freePort()
    child = spawn(process.execPath, [DEMO], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", PORT: String(port) },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    })
    let output = ""
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()))
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()))
    const url = `http://localhost:${port}`

    const until = async <A>(what: string, probe: () => Promise<A | undefined>, ms = 240_000) => {
      const deadline = Date.now() + ms
      for (;;) {
        const value = await probe().catch(() => undefined)
        if (value !== undefined) return value
        if (child?.exitCode !== null) throw new Error(`the demo exited:\n${output}`)
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${output}`)
        await new Promise((r) => setTimeout(r, 500))
      }
    }
    // The demo prints links that carry this start's operator token; the API takes it as a Bearer.
    const token = () => /[?&]token=([\w-]+)/.exec(output)?.[1] ?? ""
    const api = async <A>(path: string, body?: unknown): Promise<A> => {
      const res = await fetch(`${url}${path}`, {
        method: body === undefined ? "GET" : "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token()}` },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`)
      return (await res.json()) as A
    }
    const run = (id: string) => api<{ run: Run }>(`/api/runs/${id}`).then((d) => d.run)
    const settled = (id: string) =>
      until(`run ${id} to finish`, async () => {
        const current = await run(id)
        return ["decided", "failed", "cancelled", "timed_out"].includes(current.state)
          ? current
          : undefined
      })

    const firstId = await until(
      "the first run",
      async () => /\/runs\/([0-9a-f-]{36})/.exec(output)?.[1],
    )
    // The first run started after the dashboard answered (not a 503 building page).
    const dashboard = await fetch(url)
    expect(dashboard.status).toBe(200)
    const first = await settled(firstId)
    expect(first).toMatchObject({ state: "decided" })

    // The demo's own database: the cluster lives under .patchplane/demo, not npm start's.
    expect(existsSync(resolve(ROOT, ".patchplane/demo/postgres/PG_VERSION"))).toBe(true)

    // Second and third runs, started as the dashboard's New run does.
    const started = await Promise.all(
      [
        "add a SECURITY.md that says how to report a vulnerability",
        "document the widget function in docs/widgets.md",
      ].map((prompt) =>
        api<{ runId: string }>("/api/prompts", { repository: "acme/widgets", prompt }),
      ),
    )
    for (const { runId } of started)
      expect(await settled(runId)).toMatchObject({ state: "decided" })

    // Retry: a cancelled run, retried, is answered by the same model and decided.
    const doomed = await api<{ runId: string }>("/api/prompts", {
      repository: "acme/widgets",
      prompt: "add a CHANGELOG.md",
    })
    await api(`/api/runs/${doomed.runId}/cancel`, { reason: "changed my mind" })
    expect((await settled(doomed.runId)).state).toBe("cancelled")
    const retried = await api<{ run: { id: string } }>(`/api/runs/${doomed.runId}/retry`, {})
    expect(await settled(retried.run.id)).toMatchObject({ state: "decided" })
    expect(output).not.toContain("the script has no more steps")
  }, 900_000)
})
