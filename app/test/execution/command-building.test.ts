// The pieces that decide what a sandbox gets: path checks, the bwrap command
// line and the shell script handed to Daytona (run through a real sh here).
import { execFileSync } from "node:child_process"
import { Effect, Exit } from "effect"
import { describe, expect, it } from "vitest"
import { bwrapArgs, type BwrapCommand } from "../../src/execution/bwrap-args.ts"
import { resolveInWorkspace } from "../../src/execution/path-guard.ts"
import { shellQuote, shellScript, wrapScript } from "../../src/execution/shell-script.ts"

const resolve = (path: string) => Effect.runSyncExit(resolveInWorkspace("/workspace", path))

describe("workspace paths", () => {
  it("resolves relative and absolute paths inside the root", () => {
    expect(Effect.runSync(resolveInWorkspace("/workspace", "repo/a.txt"))).toBe(
      "/workspace/repo/a.txt",
    )
    expect(Effect.runSync(resolveInWorkspace("/workspace/", "/workspace/x/../y"))).toBe(
      "/workspace/y",
    )
    expect(Effect.runSync(resolveInWorkspace("/workspace", "."))).toBe("/workspace")
  })

  it("refuses escapes, look-alike prefixes, NUL bytes and empty paths", () => {
    const paths = ["..", "../x", "/etc/passwd", "/workspace-other/x", "a/../../b", "x\0y", ""]
    expect(paths.filter((path) => Exit.isSuccess(resolve(path)))).toEqual([])
    expect(Exit.isFailure(Effect.runSyncExit(resolveInWorkspace("relative", "x")))).toBe(true)
    expect(Exit.isFailure(Effect.runSyncExit(resolveInWorkspace("/", "etc")))).toBe(true)
  })
})

const command = (overrides: Partial<BwrapCommand> = {}): BwrapCommand => ({
  layout: {
    symlinks: [{ path: "/bin", target: "usr/bin" }],
    readOnlyDirs: ["/usr"],
    etcEntries: ["/etc/ssl"],
  },
  writableBinds: [{ hostPath: "/tmp/sb/workspace", sandboxPath: "/workspace" }],
  passwdFile: "/tmp/sb/etc/passwd",
  groupFile: "/tmp/sb/etc/group",
  readOnlyBinds: [],
  network: false,
  env: { PATH: "/usr/bin", HOME: "/home/sandbox" },
  cwd: "/workspace",
  limits: {
    maxProcesses: 64,
    memoryBytes: 1024,
    cpuSeconds: 10,
    fileSizeBytes: 2048,
    openFiles: 256,
  },
  prlimitPath: "/usr/bin/prlimit",
  command: ["node", "agent.js"],
  ...overrides,
})

describe("bwrap command line", () => {
  it("unshares everything, binds the system read-only and only the workspace writable, and applies limits", () => {
    const args = bwrapArgs(command())
    const line = args.join(" ")
    expect(args.slice(0, 2)).toEqual(["--unshare-all", "--unshare-user"])
    expect(args).not.toContain("--share-net")
    expect(line).toContain("--die-with-parent --new-session")
    expect(line).toContain("--clearenv --setenv PATH /usr/bin --setenv HOME /home/sandbox")
    expect(line).toContain("--ro-bind /usr /usr")
    expect(line).toContain("--bind /tmp/sb/workspace /workspace")
    expect(args.filter((a) => a === "--bind")).toHaveLength(1)
    expect(line).toContain("--tmpfs /tmp")
    const tail = args.slice(args.indexOf("--") + 1)
    expect(tail).toEqual([
      "/usr/bin/prlimit",
      "--nproc=64",
      "--as=1024",
      "--cpu=10",
      "--fsize=2048",
      "--nofile=256",
      "--core=0",
      "--",
      "node",
      "agent.js",
    ])
  })

  it("shares the network only when asked", () => {
    expect(bwrapArgs(command({ network: true }))).toContain("--share-net")
  })
})

const sh = (script: string) =>
  execFileSync("sh", ["-c", script], { encoding: "utf8", env: { PATH: "/usr/bin:/bin" } })

describe("Daytona command lines", () => {
  it("quotes any argument so sh hands it back unchanged", () => {
    const nasty = [
      "plain",
      "with space",
      "it's",
      '"double"',
      "$HOME",
      "`id`",
      "a;b|c&&d",
      "new\nline",
      "*",
      "",
    ]
    const echoed = sh(`printf '%s\\0' ${nasty.map(shellQuote).join(" ")}`)
    expect(echoed.split("\0").slice(0, -1)).toEqual(nasty)
  })

  it("wraps a script with cwd, env and stdin into one line the daemon's splitter keeps intact", () => {
    const script = shellScript({
      command: ["sh", "-c", 'printf "%s|%s|" "$PWD" "$GREETING"; cat'],
      cwd: "/tmp",
      env: { GREETING: "it's $me" },
      stdin: "piped in",
    })
    const line = wrapScript(script)
    // Daytona splits on spaces outside quotes: three arguments, the last without spaces to split.
    expect(line.startsWith("sh -c '")).toBe(true)
    expect(line.slice("sh -c '".length, -1)).not.toContain("'")
    const inner = line.slice("sh -c '".length, -1)
    expect(
      execFileSync("sh", ["-c", inner], { encoding: "utf8", env: { PATH: "/usr/bin:/bin" } }),
    ).toBe("/tmp|it's $me|piped in")
  })
})
