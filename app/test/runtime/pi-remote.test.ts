// Pi in a remote (Daytona) sandbox comes from the image: before a session
// starts, `pi --version` runs in the sandbox, and a missing Pi or another
// version fails the start with what to do — checked against the local Daytona
// with one snapshot without Pi and one with the pinned Pi.
import { readFile } from "node:fs/promises"
import { describe, expect, it } from "vitest"
import { locatePiInstall, pinnedPiVersion } from "../../src/runtime/pi-launch.ts"
import type { PiRuntimeOptions } from "../../src/runtime/pi-runtime.ts"
import { RuntimeAdapter } from "../../src/runtime/runtime-adapter.ts"
import { failureOf } from "../execution/helpers.ts"
import { messageOf, remoteImageWorld, startSessionIn } from "./remote-image.ts"

const world = remoteImageWorld("pi-remote", { bare: { pi: null }, pi: { pi: locatePiInstall() } })

const layer = (remote: PiRuntimeOptions["remote"]) =>
  world.layer(RuntimeAdapter.layerPi(remote === undefined ? {} : { remote }))

const remote = { command: ["pi"], gatewayBaseUrl: "http://127.0.0.1:9/api/model-gateway/v1" }

describe("Pi in a Daytona image", () => {
  it("fails the start with a clear reason when the image has no Pi", async () => {
    const error = await failureOf(layer(remote))(startSessionIn("bare"))
    expect(messageOf(error)).toMatch(
      /Pi is missing from the sandbox image: `pi --version` exited with 127.*Dockerfile/,
    )
  }, 60_000)

  it("fails the start when the image has another Pi version than the pinned one", async () => {
    const error = await failureOf(layer({ ...remote, expectedVersion: "0.0.1" }))(
      startSessionIn("pi"),
    )
    expect(messageOf(error)).toContain(
      `the sandbox image has Pi ${pinnedPiVersion()}, but PatchPlane needs Pi 0.0.1`,
    )
  }, 60_000)

  it("refuses a Daytona sandbox when the runtime has no remote settings", async () => {
    const error = await failureOf(layer(undefined))(startSessionIn("pi"))
    expect(messageOf(error)).toContain('needs runtime options "remote"')
  }, 60_000)

  it("the image recipe installs the Pi version this app pins", async () => {
    const dockerfile = await readFile(
      new URL("../../src/execution/daytona/Dockerfile", import.meta.url),
      "utf8",
    )
    expect(/^ARG PI_VERSION=(\S+)$/m.exec(dockerfile)?.[1]).toBe(pinnedPiVersion())
    expect(dockerfile).toContain("@mariozechner/pi-coding-agent@${PI_VERSION}")
  })
})
