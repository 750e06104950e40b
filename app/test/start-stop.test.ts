// Start-up and shutdown as a user meets them: every request sent while the
// process starts is answered within seconds (served, or 503 + Retry-After),
// and Ctrl-C with a dashboard stream open ends the process within seconds,
// telling the stream's client why it ended.
import { existsSync } from "node:fs"
import { request } from "node:http"
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { launchBrowser } from "../../dashboard/test/browser.ts"
import { type StartedProcess, startProcess } from "./start-process.ts"

interface Answer {
  readonly sentAt: number
  readonly outcome: "answered" | "refused" | "no answer" | "error"
  readonly status?: number
  readonly retryAfter?: string
  readonly ms: number
  readonly detail?: string
}

/** One request on its own connection, given `timeoutMs` to produce a status line. */
const probe = (
  port: number,
  path: string,
  method: "GET" | "POST",
  started: number,
  timeoutMs = 5_000,
): Promise<Answer> =>
  new Promise((done) => {
    const sentAt = Date.now()
    const finish = (answer: Omit<Answer, "sentAt" | "ms">) =>
      done({ ...answer, sentAt: sentAt - started, ms: Date.now() - sentAt })
    const req = request(
      { host: "127.0.0.1", port, path, method, agent: false, timeout: timeoutMs },
      (res) => {
        res.resume()
        finish({
          outcome: "answered",
          status: res.statusCode ?? 0,
          retryAfter: String(res.headers["retry-after"] ?? ""),
        })
      },
    )
    req.on("timeout", () => {
      finish({ outcome: "no answer" })
      req.destroy()
    })
    req.on("error", (error: NodeJS.ErrnoException) =>
      finish(
        error.code === "ECONNREFUSED"
          ? { outcome: "refused" }
          : { outcome: "error", detail: String(error.code ?? error.message) },
      ),
    )
    req.end(method === "POST" ? "{}" : undefined)
  })

let dir: string
const running: StartedProcess[] = []
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pp-start-stop-"))
  await chmod(dir, 0o755) // as root, the embedded PostgreSQL runs as "postgres" and must reach it
})
afterAll(async () => {
  for (const app of running) {
    app.signalGroup("SIGKILL")
    await app.exited
  }
  await rm(dir, { recursive: true, force: true })
})

const startIn = async (name: string) => {
  const cwd = join(dir, name)
  await mkdir(cwd, { mode: 0o755 })
  const app = await startProcess(cwd)
  running.push(app)
  return { app, cwd }
}

describe("start-up window", () => {
  it("answers every request from the moment the port opens: 503 with Retry-After until ready, then served", async () => {
    const started = Date.now()
    const { app } = await startIn("window")
    const probes: Array<Promise<Answer>> = []
    const readiness = { upAt: null as number | null }
    void app.up.then(() => (readiness.upAt = Date.now() - started))
    // A health probe and a webhook delivery every 50 ms, from spawn until 1 s after "is up".
    for (let i = 0; readiness.upAt === null || Date.now() - started < readiness.upAt + 1_000; i++) {
      if (Date.now() - started > 90_000) throw new Error(`not up after 90 s:\n${app.output()}`)
      probes.push(probe(app.port, "/api/health", "GET", started))
      if (i % 2 === 0) probes.push(probe(app.port, "/api/github/webhooks", "POST", started))
      await new Promise((r) => setTimeout(r, 50))
    }
    const answers = await Promise.all(probes)
    const upAt = readiness.upAt ?? 0
    const firstAnswered = answers.find((a) => a.outcome === "answered")
    const summary = {
      total: answers.length,
      refusedBeforePortOpened: answers.filter((a) => a.outcome === "refused").length,
      startingAnswers: answers.filter((a) => a.status === 503 && a.retryAfter !== "").length,
      slowest: Math.max(...answers.map((a) => a.ms)),
      portOpenedAt: firstAnswered?.sentAt,
      upAt,
    }
    console.log("start-up window:", JSON.stringify(summary))

    // Nothing hangs and nothing breaks: each request got a status line within 5 s.
    expect(answers.filter((a) => a.outcome === "no answer" || a.outcome === "error")).toEqual([])
    // Once the port opened it stayed open (refusals only before the first answer).
    expect(firstAnswered).toBeDefined()
    const openedAt = firstAnswered?.sentAt ?? 0
    expect(answers.filter((a) => a.outcome === "refused" && a.sentAt > openedAt)).toEqual([])
    // The port opened well before the control plane was ready, and those answers were 503s
    // telling the client when to come back.
    const beforeUp = answers.filter((a) => a.outcome === "answered" && a.sentAt < upAt - 500)
    expect(beforeUp.length).toBeGreaterThan(0)
    // (A webhook without a GitHub App is refused with 503 once ready, too; nothing else.)
    expect(beforeUp.filter((a) => a.status !== 200 && a.status !== 503)).toEqual([])
    expect(beforeUp.some((a) => a.status === 503 && a.retryAfter === "2")).toBe(true)
    // After start-up, health is served.
    const late = answers.filter((a) => a.sentAt > upAt + 200 && a.outcome === "answered")
    expect(late.length).toBeGreaterThan(0)
    const lateHealth = await probe(app.port, "/api/health", "GET", started)
    expect(lateHealth.status).toBe(200)
  }, 120_000)
})

describe("shutdown", () => {
  it("on Ctrl-C with a live stream open: tells the stream, takes no new requests, and is gone within 5 s", async () => {
    const { app, cwd } = await startIn("stop")
    await app.up
    // A dashboard tab's live stream.
    const stream = await fetch(`${app.url}/api/events`, {
      headers: { authorization: `Bearer ${app.token()}` },
    })
    expect(stream.status).toBe(200)
    const reader = stream.body!.getReader()
    let received = ""
    const streamEnded = (async () => {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) return
        received += Buffer.from(value).toString()
      }
    })().catch(() => {})
    await new Promise((r) => setTimeout(r, 300))

    const signalledAt = Date.now()
    app.signalGroup("SIGINT") // what Ctrl-C in a terminal does
    for (let i = 0; i < 100 && !received.includes("event: shutdown"); i++)
      await new Promise((r) => setTimeout(r, 20))
    // Stopping has begun: a new request is refused (port closed) or answered 503, never served or left hanging.
    const during = await probe(app.port, "/api/health", "GET", signalledAt)
    const code = await Promise.race([
      app.exited,
      new Promise<string>((r) => setTimeout(() => r("still running"), 5_000)),
    ])
    const stopMs = Date.now() - signalledAt
    console.log("shutdown:", JSON.stringify({ stopMs, during }))
    expect(code).toBe(0)
    expect(stopMs).toBeLessThan(5_000)
    await streamEnded
    // The client was told the server is stopping before its stream ended.
    expect(received).toContain("event: shutdown")
    expect(during.outcome === "refused" || during.status === 503).toBe(true)
    expect(app.output()).toContain("PatchPlane stopped")
    expect(app.output()).not.toContain("notification connection lost")
    // The embedded PostgreSQL stopped after the app, cleanly.
    expect(existsSync(join(cwd, ".patchplane/postgres/postmaster.pid"))).toBe(false)
  }, 120_000)

  it("an open dashboard tab stops saying Live and says the server stopped", async () => {
    const { app } = await startIn("tab")
    await app.up
    const browser = await launchBrowser()
    try {
      const page = await browser.page()
      // The first start may still be building the dashboard: its page reloads itself until ready.
      // The printed sign-in link: it sets this start's operator cookie.
      await page.goto(`${app.url}/?token=${encodeURIComponent(app.token())}`)
      await page.getByTestId("live").filter({ hasText: "Live" }).waitFor({ timeout: 240_000 })
      app.signalGroup("SIGINT")
      await page
        .getByTestId("live")
        .filter({ hasText: "Server stopped" })
        .waitFor({ timeout: 10_000 })
      await browser.screenshot(page, "server-stopped")
      expect(await app.exited).toBe(0)
      // Still not "Live" once the process is gone.
      await new Promise((r) => setTimeout(r, 1_500))
      expect(await page.getByTestId("live").textContent()).toMatch(/Server stopped/)
    } finally {
      await browser.close()
    }
  }, 300_000)

  it("a second Ctrl-C exits at once, and the embedded PostgreSQL still goes down", async () => {
    const { app, cwd } = await startIn("force")
    await app.up
    const stream = await fetch(`${app.url}/api/events`, {
      headers: { authorization: `Bearer ${app.token()}` },
    })
    expect(stream.status).toBe(200)
    const signalledAt = Date.now()
    app.signalGroup("SIGINT")
    await new Promise((r) => setTimeout(r, 20))
    app.signalGroup("SIGINT")
    expect(await app.exited).toBe(130)
    expect(Date.now() - signalledAt).toBeLessThan(2_000)
    expect(app.output()).toContain("received again: exiting now")
    const pidFile = join(cwd, ".patchplane/postgres/postmaster.pid")
    for (let i = 0; i < 200 && existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 50))
    expect(existsSync(pidFile)).toBe(false)
  }, 120_000)
})
