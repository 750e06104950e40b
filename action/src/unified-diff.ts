// The lines a diff adds, per file, with their line numbers in the new file:
// secrets are searched for there, lint findings on them count, and
// annotations point at them. Input: `git diff -U0` (no context lines).
export interface AddedLine {
  readonly line: number
  readonly text: string
}

const unquote = (path: string): string => {
  if (!path.startsWith('"')) return path
  // git C-quotes unusual names; octal escapes are UTF-8 bytes.
  const bytes: number[] = []
  const body = path.slice(1, -1)
  for (let i = 0; i < body.length; i++) {
    const c = body[i] ?? ""
    if (c !== "\\") {
      bytes.push(...Buffer.from(c, "utf8"))
      continue
    }
    const next = body[i + 1] ?? ""
    if (/[0-7]/.test(next)) {
      bytes.push(Number.parseInt(body.slice(i + 1, i + 4), 8))
      i += 3
    } else {
      const map: Record<string, string> = { n: "\n", t: "\t", '"': '"', "\\": "\\" }
      bytes.push(...Buffer.from(map[next] ?? next, "utf8"))
      i += 1
    }
  }
  return Buffer.from(bytes).toString("utf8")
}

export const parseAddedLines = (diff: string): Map<string, AddedLine[]> => {
  const added = new Map<string, AddedLine[]>()
  let current: AddedLine[] | null = null
  let next = 0
  for (const raw of diff.split("\n")) {
    if (raw.startsWith("diff --git ")) {
      current = null
    } else if (raw.startsWith("+++ ")) {
      const target = unquote(raw.slice(4).replace(/\t$/, ""))
      if (target === "/dev/null") current = null
      else {
        const path = target.replace(/^"?b\//, "")
        current = added.get(path) ?? []
        added.set(path, current)
      }
    } else if (raw.startsWith("@@ ")) {
      next = Number(/\+(\d+)/.exec(raw)?.[1] ?? "0")
    } else if (current !== null && raw.startsWith("+")) {
      current.push({ line: next, text: raw.slice(1) })
      next += 1
    }
  }
  return added
}
