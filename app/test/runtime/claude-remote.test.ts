// Claude Code in a remote (Daytona) sandbox comes from the image: before a
// session starts, `claude --version` runs in the sandbox, and a missing
// Claude Code or another version fails the start with what to do; the pinned
// one starts and answers Claude Code's own handshake. Checked against the
// local Daytona with one snapshot without any agent and one with the agents
// the Dockerfile installs (the native binary installed with this app).
import { readFile } from "node:fs/promises"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { locateClaudeInstall, pinnedClaudeVersion } from "../../src/runtime/claude-launch.ts"
import type { ClaudeRuntimeOptions } from "../../src/runtime/claude-runtime.ts"
import { locatePiInstall } from "../../src/runtime/pi-launch.ts"
import { RuntimeAdapter } from "../../src/runtime/runtime-adapter.ts"
import { sentToDaytona } from "../e2e/sandbox-scan.ts"
import { failureOf } from "../execution/helpers.ts"
import { messageOf, remoteImageWorld, startSessionIn } from "./remote-image.ts"

const world = remoteImageWorld("claude-remote", {
  bare: { pi: null },
  "pi-only": { pi: locatePiInstall() },
  agents: { pi: locatePiInstall(), claudeCode: locateClaudeInstall() },
})

const layer = (remote: ClaudeRuntimeOptions["remote"]) =>
  world.layer(
    RuntimeAdapter.layerClaudeCode({
      model: "claude-scripted",
      ...(remote === undefined ? {} : { remote }),
    }),
  )

/** Starts a session in a sandbox of `snapshot` and ends it. */
const startIn = (snapshot: string) =>
  Effect.flatMap(startSessionIn(snapshot), ({ runtime, session }) => runtime.terminate(session))

const remote = {
  binaryPath: "claude",
  gatewayBaseUrl: "http://127.0.0.1:9/api/model-gateway",
}

describe("Claude Code in a Daytona image", () => {
  it("fails the start with a clear reason when the image has no Claude Code", async () => {
    for (const snapshot of ["bare", "pi-only"]) {
      const error = await failureOf(layer(remote))(startIn(snapshot))
      expect(messageOf(error)).toMatch(
        /Claude Code is missing from the sandbox image: `claude --version` exited with 127.*Dockerfile.*runtime\.claudeCode\.remote/,
      )
    }
  }, 60_000)

  it("fails the start when the image has another Claude Code version than the pinned one", async () => {
    const error = await failureOf(layer({ ...remote, expectedVersion: "2.0.0" }))(startIn("agents"))
    expect(messageOf(error)).toContain(
      `the sandbox image has Claude Code ${pinnedClaudeVersion()}, but PatchPlane needs Claude Code 2.0.0; rebuild the image`,
    )
  }, 60_000)

  it("starts the pinned Claude Code from the image: version checked, then its handshake answered", async () => {
    const end = await Effect.runPromise(
      Effect.scoped(startIn("agents")).pipe(Effect.provide(layer(remote))),
    )
    expect(end.reason).toBe("completed")
    expect(sentToDaytona(world.daytona())).toContain("exec claude --version")
  }, 60_000)

  it("refuses a Daytona sandbox when the runtime has no remote settings", async () => {
    const error = await failureOf(layer(undefined))(startIn("agents"))
    expect(messageOf(error)).toContain('needs runtime options "remote"')
  }, 60_000)

  it("the image recipe installs the Claude Code version this app pins, and checks it", async () => {
    const dockerfile = await readFile(
      new URL("../../src/execution/daytona/Dockerfile", import.meta.url),
      "utf8",
    )
    expect(/^ARG CLAUDE_CODE_VERSION=(\S+)$/m.exec(dockerfile)?.[1]).toBe(pinnedClaudeVersion())
    expect(dockerfile).toContain("@anthropic-ai/claude-code@${CLAUDE_CODE_VERSION}")
    expect(dockerfile).toContain("claude --version")
    const manifest = JSON.parse(
      await readFile(new URL("../../package.json", import.meta.url), "utf8"),
    ) as { dependencies: Record<string, string> }
    expect(manifest.dependencies["@anthropic-ai/claude-code"]).toBe(pinnedClaudeVersion())
  })
})
