// A target repository for the Action, built in a temp dir with real git: a
// passing base on `main`, then a PatchPlane branch whose change has a real
// oxlint finding (an unused variable) and a failing test.
import { execFileSync } from "node:child_process"
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"

export interface FixtureRepo {
  readonly dir: string
  readonly branch: string
  readonly baseSha: string
  readonly headSha: string
  remove(): Promise<void>
}

export type Files = Readonly<Record<string, string>>

const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: "PatchPlane test",
  GIT_AUTHOR_EMAIL: "test@patchplane.invalid",
  GIT_COMMITTER_NAME: "PatchPlane test",
  GIT_COMMITTER_EMAIL: "test@patchplane.invalid",
  GIT_CONFIG_NOSYSTEM: "1",
}

export const git = (dir: string, ...args: string[]) =>
  execFileSync("git", args, { cwd: dir, env: gitEnv, encoding: "utf8" }).trim()

const write = async (dir: string, files: Files) => {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true })
    await writeFile(join(dir, path), text)
  }
}

export const packageJson = (extra: Record<string, unknown> = {}) =>
  `${JSON.stringify({ name: "fixture", type: "module", scripts: { test: "node --test" }, ...extra }, null, 2)}\n`

export const baseFiles: Files = {
  "package.json": packageJson(),
  "src/math.js": "export const add = (a, b) => a + b\n",
  "test/math.test.js": [
    'import test from "node:test"',
    'import assert from "node:assert"',
    'import { add } from "../src/math.js"',
    'test("adds", () => assert.equal(add(1, 2), 3))',
    "",
  ].join("\n"),
}

/** The agent's change: an unused variable (oxlint no-unused-vars) and a wrong expectation. */
export const changeFiles: Files = {
  "src/math.js": [
    "export const add = (a, b) => a + b",
    "const unused = 42",
    "export const subtract = (a, b) => a - b",
    "",
  ].join("\n"),
  "test/subtract.test.js": [
    'import test from "node:test"',
    'import assert from "node:assert"',
    'import { subtract } from "../src/math.js"',
    'test("subtracts", () => assert.equal(subtract(5, 3), 3))',
    "",
  ].join("\n"),
}

export const createFixtureRepo = async (
  runId: string,
  options: { base?: Files; change?: Files } = {},
): Promise<FixtureRepo> => {
  const dir = await mkdtemp(join(tmpdir(), "pp-action-fixture-"))
  git(dir, "init", "--quiet", "--initial-branch=main")
  await write(dir, options.base ?? baseFiles)
  git(dir, "add", "--all")
  git(dir, "commit", "--quiet", "-m", "base")
  const baseSha = git(dir, "rev-parse", "HEAD")
  const branch = `patchplane/${runId}`
  git(dir, "checkout", "--quiet", "-b", branch)
  await write(dir, options.change ?? changeFiles)
  git(dir, "add", "--all")
  git(dir, "commit", "--quiet", "-m", "agent change", "-m", `PatchPlane-Run: ${runId}`)
  return {
    dir,
    branch,
    baseSha,
    headSha: git(dir, "rev-parse", "HEAD"),
    remove: () => rm(dir, { recursive: true, force: true }),
  }
}
