// Sandbox-wide totals for the local backend, where cgroup delegation is not
// available (a cgroup v1 host, or no delegated v2 subtree): rlimits bind each
// process, not the sandbox, so the sandbox's process trees are measured from
// /proc — the bwrap processes we started and every descendant (orphans stay
// descendants: inside the PID namespace they are re-parented to its init) —
// and the files under its writable directories are counted as the disk it uses.
import { lstat, readdir, readFile } from "node:fs/promises"
import { join } from "node:path"

export interface TreeUsage {
  readonly processes: number
  readonly rssBytes: number
}

const parentOf = (stat: string): number | null => {
  // "pid (comm) state ppid …": comm may hold spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  const ppid = Number(fields[1])
  return Number.isInteger(ppid) ? ppid : null
}

/** Processes and resident memory of `roots` and all their descendants. */
export const treeUsage = async (roots: ReadonlyArray<number>): Promise<TreeUsage> => {
  if (roots.length === 0) return { processes: 0, rssBytes: 0 }
  const children = new Map<number, Array<number>>()
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => null)
    const parent = stat === null ? null : parentOf(stat)
    if (parent === null) continue
    const list = children.get(parent) ?? []
    list.push(Number(entry))
    children.set(parent, list)
  }
  const seen = new Set<number>()
  const queue = [...roots]
  while (queue.length > 0) {
    const pid = queue.pop() ?? 0
    if (seen.has(pid)) continue
    seen.add(pid)
    queue.push(...(children.get(pid) ?? []))
  }
  let rssBytes = 0
  let processes = 0
  for (const pid of seen) {
    const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => null)
    if (status === null) continue
    processes += 1
    const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]
    if (kb !== undefined) rssBytes += Number(kb) * 1024
  }
  return { processes, rssBytes }
}

/** Bytes allocated on disk under `dirs` (sparse files count what they really use). */
export const diskUsage = async (dirs: ReadonlyArray<string>): Promise<number> => {
  let total = 0
  const walk = async (path: string): Promise<void> => {
    const stat = await lstat(path).catch(() => null)
    if (stat === null) return
    total += stat.blocks * 512
    if (!stat.isDirectory()) return
    const entries = await readdir(path).catch(() => [] as Array<string>)
    for (const entry of entries) await walk(join(path, entry))
  }
  for (const dir of dirs) await walk(dir)
  return total
}

const gib = 1024 * 1024 * 1024

export const formatSize = (bytes: number): string =>
  bytes >= gib ? `${(bytes / gib).toFixed(1)} GiB` : `${Math.round(bytes / (1024 * 1024))} MiB`
