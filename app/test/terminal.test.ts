// What a person reads when they run `npm start`: readable lines on a
// terminal, JSON for anything else, no warning from our own driver use, and a
// summary that says what to do next.
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { stripVTControlCharacters } from "node:util"
import { createTestDatabase, type TestDatabase } from "@patchplane/db/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type StartedProcess, startProcess } from "./start-process.ts"

let dir: string
let testDb: TestDatabase
const running: StartedProcess[] = []
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pp-terminal-"))
  testDb = await createTestDatabase("terminal", { migrate: false })
}, 60_000)
afterAll(async () => {
  for (const app of running) {
    app.signalGroup("SIGKILL")
    await app.exited
  }
  await testDb?.drop()
  await rm(dir, { recursive: true, force: true })
})

const runUntilUp = async (tty: boolean) => {
  const app = await startProcess(dir, { DATABASE_URL: testDb.url }, [], tty)
  running.push(app)
  await app.up
  // The summary is printed in one go after the "is up" line.
  for (let i = 0; i < 100 && !app.output().includes("Stop: Ctrl-C"); i++)
    await new Promise((r) => setTimeout(r, 20))
  app.signalGroup("SIGINT")
  await app.exited
  return stripVTControlCharacters(app.output()).replaceAll("\r", "").split("\n")
}

describe("the terminal", () => {
  it("without a terminal: one JSON object per log line, no deprecation warning, next steps", async () => {
    const lines = await runUntilUp(false)
    const logs = lines.filter((line) => line.startsWith("{"))
    expect(logs.length).toBeGreaterThan(0)
    for (const line of logs)
      expect(JSON.parse(line)).toMatchObject({ level: expect.any(Number), msg: expect.any(String) })
    const text = lines.join("\n")
    // The DBOS pool's concurrent first query used to print this at every start.
    expect(text).not.toContain("DeprecationWarning")
    // Nothing is wrong with an unconfigured first start: the summary says what is missing.
    expect(logs.filter((line) => (JSON.parse(line) as { level: number }).level >= 40)).toEqual([])
    expect(text).toContain("npm run demo")
    expect(text).toContain("docs/github-app.md")
    expect(text).toContain("docs/model.md")
    expect(text).toContain("PatchPlane stopped")
  }, 60_000)

  it("on a terminal: readable lines with the time and level, no JSON", async () => {
    const lines = await runUntilUp(true)
    const text = lines.join("\n")
    expect(lines.filter((line) => line.trimStart().startsWith('{"level"'))).toEqual([])
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: durable workflow engine started/m)
    expect(text).toContain("PatchPlane is up on http://localhost:")
    expect(text).not.toContain("DeprecationWarning")
  }, 60_000)
})
