// `npm start` (and dev, demo, bench) on a Node.js too old to run our
// TypeScript sources: one clear line naming the required and found versions
// and how to get Node 24, not ERR_UNKNOWN_FILE_EXTENSION.
import { spawnSync } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { resolve } from "node:path"
import { describe, expect, it } from "vitest"

const ROOT = resolve(import.meta.dirname, "../..")
const scripts = (
  JSON.parse(readFileSync(resolve(ROOT, "package.json"), "utf8")) as {
    scripts: Record<string, string>
  }
).scripts

/** A Node older than 22.11: the machine's own when it has one, else this one told it is 20.1.0. */
const oldNode = (): { readonly path: string; readonly preload: string } => {
  const system = "/usr/bin/node"
  if (existsSync(system)) {
    const version = spawnSync(system, ["--version"]).stdout.toString().trim()
    const [major = 0, minor = 0] = version.slice(1).split(".").map(Number)
    if (major < 22 || (major === 22 && minor < 11)) return { path: system, preload: "" }
  }
  return {
    path: process.execPath,
    preload: `--import 'data:text/javascript,Object.defineProperty(process.versions,"node",{value:"20.1.0"})' `,
  }
}

/** Runs a package.json script's command line the way npm does (sh, repository root). */
const runScript = (name: string, node: string, preload = "") => {
  const command = scripts[name] ?? ""
  expect(command).toMatch(/^node /)
  return spawnSync("sh", ["-c", command.replace(/^node /, `'${node}' ${preload}`)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" },
    timeout: 30_000,
  })
}

describe("Node.js version", () => {
  it.each(["start", "dev", "demo", "bench"])(
    "npm run %s on an old Node prints one line with the required and found versions",
    (script) => {
      const node = oldNode()
      const result = runScript(script, node.path, node.preload)
      const stderr = result.stderr.toString().trim()
      expect(result.status).toBe(1)
      expect(stderr).not.toContain("ERR_UNKNOWN_FILE_EXTENSION")
      expect(stderr.split("\n")).toHaveLength(1)
      expect(stderr).toMatch(/needs Node\.js 22\.11 or newer \(24 LTS recommended\); found v2\d\./)
      expect(stderr).toContain("nvm install")
    },
  )

  it("the check lets a current Node through, and the repository pins Node 24 for version managers", () => {
    const result = spawnSync(
      process.execPath,
      ["--import", "./app/bin/require-node.js", "-e", "console.log('running')"],
      { cwd: ROOT },
    )
    expect(result.stdout.toString().trim()).toBe("running")
    expect(readFileSync(resolve(ROOT, ".nvmrc"), "utf8").trim()).toBe("24")
    expect(readFileSync(resolve(ROOT, ".node-version"), "utf8").trim()).toBe("24")
  })
})
