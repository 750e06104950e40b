// Looking into a local Daytona sandbox for what must never be there: the
// control plane's secrets, in what PatchPlane sent to Daytona, in the
// sandbox's files, and in the environment of every process running in it.
import { readdir, readFile } from "node:fs/promises"
import { join } from "node:path"
import type { DaytonaStandIn, StandInSandbox } from "../../dev/daytona-stand-in/server.ts"
import { WEBHOOK_SECRET } from "../../dev/local-world.ts"
import type { Loop } from "./harness.ts"

/** Every secret of the control plane that must never reach a sandbox. */
export const controlPlaneSecrets = async (loop: Loop) => {
  const appKey = await readFile(join(loop.dir, "app.pem"), "utf8")
  return {
    "model provider key": loop.world.model.apiKey,
    "GitHub App private key": appKey.split("\n")[1] ?? appKey,
    "database URL": loop.db.url,
    "webhook secret": WEBHOOK_SECRET,
  }
}

/** What the text holds of them, by name. */
export const leaked = (text: string, all: Record<string, string>) =>
  Object.entries(all)
    .filter(([, value]) => text.includes(value))
    .map(([name]) => name)

/** Everything PatchPlane sent to Daytona, with base64-wrapped scripts decoded. */
export const sentToDaytona = (daytona: DaytonaStandIn) =>
  daytona.requests
    .map((r) => JSON.stringify(r.body))
    .map((text) =>
      [
        text,
        ...[...text.matchAll(/printf %s ([A-Za-z0-9+/=]{8,})/g)].map((m) =>
          Buffer.from(m[1] ?? "", "base64").toString(),
        ),
      ].join("\n"),
    )
    .join("\n")

export const filesUnder = async (dir: string): Promise<Array<string>> => {
  const out: Array<string> = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...(await filesUnder(path)))
    else if (entry.isFile()) out.push(path)
  }
  return out
}

/** The environments of a sandbox's processes (bwrap and everything under it), from /proc. */
export const processEnvironments = async (roots: ReadonlyArray<number>) => {
  const parent = new Map<number, number>()
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    const status = await readFile(`/proc/${entry}/status`, "utf8").catch(() => "")
    const ppid = /^PPid:\s+(\d+)/m.exec(status)?.[1]
    if (ppid !== undefined) parent.set(Number(entry), Number(ppid))
  }
  const inside = (pid: number): boolean => {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = parent.get(p))
      if (roots.includes(p)) return true
    return false
  }
  const envs: Array<string> = []
  for (const pid of parent.keys())
    if (inside(pid))
      envs.push(
        (await readFile(`/proc/${pid}/environ`, "utf8").catch(() => "")).replaceAll("\0", "\n"),
      )
  return envs
}

/** The run's sandbox, by the `patchplane-run` label PatchPlane gives it. */
export const sandboxOf = (daytona: DaytonaStandIn, runId: string): StandInSandbox | undefined =>
  [...daytona.sandboxes.values()].find(
    (s) => (s.body.labels as Record<string, string>)["patchplane-run"] === runId,
  )

/**
 * Mid-run: every file under the sandbox's home and every process's
 * environment, as "<secret> in <where>" for each secret found (none expected).
 */
export const secretsInSandbox = async (loop: Loop, sandbox: StandInSandbox) => {
  const container = sandbox.container
  if (container === null) throw new Error("the sandbox has no container")
  const all = await controlPlaneSecrets(loop)
  const found: Array<string> = []
  const files = await filesUnder(container.homeDir)
  for (const file of files)
    for (const name of leaked(await readFile(file, "latin1"), all)) found.push(`${name} in ${file}`)
  const envs = await processEnvironments(container.pids())
  for (const env of envs) for (const name of leaked(env, all)) found.push(`${name} in a process`)
  return { found, files, envs }
}
