// The local Daytona as the local world and the demo use it: the stand-in with
// two snapshots — `patchplane-agents` (Pi and Claude Code at the pinned
// versions, as the Dockerfile under src/execution/daytona builds it) and
// `bare` (no agent) — and the PatchPlane config that points at it.
import { locateClaudeInstall } from "../../src/runtime/claude-launch.ts"
import { locatePiInstall } from "../../src/runtime/pi-launch.ts"
import { type DaytonaStandIn, startDaytonaStandIn } from "./server.ts"

export type { DaytonaStandIn } from "./server.ts"

export const localDaytonaApiKey = "dtn_local_world_key"
export const agentsSnapshot = "patchplane-agents"

export const startLocalDaytona = (): Promise<DaytonaStandIn> =>
  startDaytonaStandIn({
    apiKey: localDaytonaApiKey,
    snapshots: {
      [agentsSnapshot]: { pi: locatePiInstall(), claudeCode: locateClaudeInstall() },
      bare: { pi: null },
    },
  })

/** sandbox.*: Daytona, network blocked except loopback (where the gateway and the git host are). */
export const localDaytonaSandbox = (daytona: DaytonaStandIn) => ({
  backend: "daytona",
  network: "none",
  daytona: {
    apiUrl: daytona.apiUrl,
    apiKey: localDaytonaApiKey,
    target: "us",
    networkAllowList: ["127.0.0.1/32"],
  },
})

/** runtime.pi.remote: Pi from the snapshot, the gateway on PatchPlane's own URL. */
export const localDaytonaRemote = { command: ["pi"], snapshot: agentsSnapshot }
