// Parsers for `git diff -z --name-status` and `git diff -z --numstat`, the
// machine-readable forms (NUL-separated, so any file name survives).
import type { FileChange } from "./patch-set.ts"

interface NameStatus {
  readonly status: FileChange["status"]
  readonly path: string
  readonly previousPath?: string
}

const statusOf = (letter: string): FileChange["status"] => {
  switch (letter) {
    case "A":
      return "added"
    case "D":
      return "deleted"
    case "R":
      return "renamed"
    case "C":
      // A copy is a new file (reported with its new path).
      return "added"
    default:
      // M, and T (a type change).
      return "modified"
  }
}

export const parseNameStatus = (output: string): Array<NameStatus> => {
  const fields = output.split("\0")
  const entries: Array<NameStatus> = []
  let i = 0
  while (i < fields.length) {
    const code = fields[i] ?? ""
    if (code === "") break
    const letter = code[0] ?? "M"
    if (letter === "R" || letter === "C") {
      const from = fields[i + 1] ?? ""
      const to = fields[i + 2] ?? ""
      entries.push(
        letter === "R"
          ? { status: "renamed", path: to, previousPath: from }
          : { status: statusOf(letter), path: to },
      )
      i += 3
    } else {
      entries.push({ status: statusOf(letter), path: fields[i + 1] ?? "" })
      i += 2
    }
  }
  return entries
}

export interface LineCounts {
  readonly additions: number
  readonly deletions: number
  readonly binary: boolean
}

/** Keyed by the new path; binary files count as 0/0 and are marked (numstat's "-"). */
export const parseNumstat = (output: string): Map<string, LineCounts> => {
  const counts = new Map<string, LineCounts>()
  const fields = output.split("\0")
  let i = 0
  while (i < fields.length) {
    const head = fields[i] ?? ""
    if (head === "") break
    const [added = "-", deleted = "-", path = ""] = head.split("\t")
    const parsed = {
      additions: added === "-" ? 0 : Number(added),
      deletions: deleted === "-" ? 0 : Number(deleted),
      binary: added === "-" && deleted === "-",
    }
    if (path === "") {
      // A rename: "a\td\t" then the old and the new path as their own fields.
      counts.set(fields[i + 2] ?? "", parsed)
      i += 3
    } else {
      counts.set(path, parsed)
      i += 1
    }
  }
  return counts
}

export const fileChanges = (nameStatus: string, numstat: string): Array<FileChange> => {
  const counts = parseNumstat(numstat)
  return parseNameStatus(nameStatus).map((entry) => ({
    path: entry.path,
    status: entry.status,
    additions: counts.get(entry.path)?.additions ?? 0,
    deletions: counts.get(entry.path)?.deletions ?? 0,
    ...(entry.previousPath === undefined ? {} : { previousPath: entry.previousPath }),
    ...(counts.get(entry.path)?.binary === true ? { binary: true } : {}),
  }))
}

/** `git diff --raw -z --no-abbrev`: each changed path's new blob id (none for deletions). */
export const parseRawNewBlobs = (output: string): Map<string, string> => {
  const blobs = new Map<string, string>()
  const fields = output.split("\0")
  let i = 0
  while (i < fields.length) {
    const head = fields[i] ?? ""
    if (!head.startsWith(":")) break
    const [, , , newSha = "", status = ""] = head.slice(1).split(" ")
    const twoPaths = status.startsWith("R") || status.startsWith("C")
    const path = fields[i + (twoPaths ? 2 : 1)] ?? ""
    if (!status.startsWith("D") && !/^0+$/.test(newSha)) blobs.set(path, newSha)
    i += twoPaths ? 3 : 2
  }
  return blobs
}
