// `npm start` as a user runs it: a real process, real PostgreSQL, real HTTP.
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { createTestDatabase, type TestDatabase } from "@patchplane/db/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const MAIN = resolve(import.meta.dirname, "../src/main.ts")

interface Started {
  readonly child: ChildProcess
  readonly url: string
  readonly output: () => string
  readonly exited: Promise<number | null>
}

const start = (cwd: string, env: Record<string, string> = {}): Promise<Started> => {
  const child = spawn(process.execPath, [MAIN], {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: cwd, PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  })
  let output = ""
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)))
  return new Promise((resolveStart, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /is up on (http:\/\/\S+?) /.exec(output)
      if (match?.[1]) resolveStart({ child, url: match[1], output: () => output, exited })
    }
    child.stdout.on("data", onData)
    child.stderr.on("data", onData)
    void exited.then((code) => reject(new Error(`exited with ${code}:\n${output}`)))
  })
}

const runToExit = (cwd: string, env: Record<string, string>) =>
  start(cwd, env).then(
    () => {
      throw new Error("expected start-up to fail")
    },
    (error: Error) => error.message,
  )

let dir: string
let testDb: TestDatabase
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pp-start-"))
  await chmod(dir, 0o755) // as root, the embedded PostgreSQL runs as "postgres" and must reach it
  testDb = await createTestDatabase("start", { migrate: false })
}, 60_000)
afterAll(async () => {
  await testDb?.drop()
  await rm(dir, { recursive: true, force: true })
})

describe("npm start", () => {
  it("starts on the embedded PostgreSQL, answers /api/health, and stops cleanly on SIGTERM", async () => {
    const cwd = join(dir, "embedded")
    await mkdir(cwd, { mode: 0o755 })
    const app = await start(cwd)
    expect(app.output()).toMatch(/database: embedded/)
    expect(app.output()).toMatch(/Not configured: GitHub App/)
    expect(app.output()).toMatch(/Next: open http:\/\/localhost:\d+/)
    // Local mode: the sign-in URL carries this start's token; without it nobody is the operator.
    await expect.poll(() => app.output()).toMatch(/Local operator sign-in.*\n/)
    const signIn = /Local operator sign-in[^:]*: (http:\/\/localhost:\d+\/\?token=\S+)/.exec(
      app.output(),
    )?.[1]
    expect(signIn).toBeDefined()
    const stranger = await fetch(`${app.url}/api/session`)
    expect(await stranger.json()).toMatchObject({ auth: "local", caller: null })
    const visit = await fetch(signIn ?? "", { redirect: "manual" })
    expect(visit.status).toBe(303)
    const cookie = (visit.headers.get("set-cookie") ?? "").split(";")[0] ?? ""
    const session = await fetch(`${app.url}/api/session`, { headers: { cookie } })
    expect(await session.json()).toMatchObject({ caller: { id: "local-operator", role: "admin" } })

    const health = await fetch(`${app.url}/api/health`)
    expect(health.status).toBe(200)
    expect(await health.json()).toMatchObject({ ok: true, db: "up", database: "embedded" })

    const hook = await fetch(`${app.url}/api/github/webhooks`, { method: "POST", body: "{}" })
    expect(hook.status).toBe(503)
    expect(((await hook.json()) as { error: string }).error).toMatch(/GitHub App is not configured/)

    // What a newcomer sees after opening the printed URL: what is left to configure.
    const home = await fetch(app.url, { headers: { cookie } })
    expect(await home.text()).toContain("GitHub App (github)")

    expect(existsSync(join(cwd, ".patchplane/postgres/postmaster.pid"))).toBe(true)
    app.child.kill("SIGTERM")
    expect(await app.exited).toBe(0)
    expect(app.output()).toContain("PatchPlane stopped")
    // the embedded server went down with the app
    expect(existsSync(join(cwd, ".patchplane/postgres/postmaster.pid"))).toBe(false)
  }, 60_000)

  it("uses DATABASE_URL when set, and migrates it", async () => {
    const app = await start(dir, { DATABASE_URL: testDb.url })
    const health = await fetch(`${app.url}/api/health`)
    expect(await health.json()).toMatchObject({ ok: true, db: "up", database: "external" })
    const tables = await testDb.pool.query(
      "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'",
    )
    expect(tables.rows[0].n).toBeGreaterThanOrEqual(21)
    app.child.kill("SIGTERM")
    expect(await app.exited).toBe(0)
  }, 60_000)

  it("refuses to start on a bad config file, naming the field", async () => {
    const cwd = join(dir, "bad")
    await mkdir(cwd)
    await writeFile(join(cwd, "patchplane.config.json"), JSON.stringify({ server: { port: -1 } }))
    const message = await runToExit(cwd, { DATABASE_URL: testDb.url, PORT: "" })
    expect(message).toMatch(/exited with 1/)
    expect(message).toMatch(/patchplane\.config\.json is invalid/)
    expect(message).toMatch(/server\.port: Expected a value between 0 and 65535/)
  }, 30_000)
})
