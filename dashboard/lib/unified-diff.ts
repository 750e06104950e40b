// Parses a unified diff (git's format) into files and rebuilds, per file, the
// two sides a diff viewer compares: only the hunks' lines, with the real line
// numbers of each side kept alongside (unchanged stretches between hunks are
// one "⋯" line on both sides).
export interface DiffLine {
  readonly type: " " | "-" | "+"
  readonly text: string
}

export interface Hunk {
  readonly oldStart: number
  readonly newStart: number
  readonly lines: DiffLine[]
}

export interface DiffFile {
  readonly oldPath: string | null
  readonly newPath: string | null
  readonly binary: boolean
  readonly hunks: Hunk[]
}

const unquote = (path: string) => path.replace(/^"(.*)"$/, "$1")
const stripPrefix = (path: string) =>
  path === "/dev/null" ? null : unquote(path).replace(/^[ab]\//, "")

export const parseUnifiedDiff = (text: string): DiffFile[] => {
  const files: Array<{
    oldPath: string | null
    newPath: string | null
    binary: boolean
    hunks: Hunk[]
  }> = []
  let file: (typeof files)[number] | null = null
  let hunk: Hunk | null = null
  for (const line of text.split("\n")) {
    if (line.startsWith("diff --git ")) {
      const match = /^diff --git (\S+|"[^"]+") (\S+|"[^"]+")$/.exec(line)
      file = {
        oldPath: match?.[1] ? stripPrefix(match[1]) : null,
        newPath: match?.[2] ? stripPrefix(match[2]) : null,
        binary: false,
        hunks: [],
      }
      files.push(file)
      hunk = null
      continue
    }
    if (file === null) continue
    if (hunk === null || line.startsWith("@@")) {
      if (line.startsWith("--- ")) file.oldPath = stripPrefix(line.slice(4).split("\t")[0] ?? "")
      else if (line.startsWith("+++ "))
        file.newPath = stripPrefix(line.slice(4).split("\t")[0] ?? "")
      else if (line.startsWith("Binary files ") || line.startsWith("GIT binary patch"))
        file.binary = true
      const header = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line)
      if (header !== null) {
        hunk = { oldStart: Number(header[1]), newStart: Number(header[2]), lines: [] }
        file.hunks.push(hunk)
      }
      continue
    }
    const type = line[0]
    if (type === " " || type === "-" || type === "+") hunk.lines.push({ type, text: line.slice(1) })
    else if (line === "") hunk.lines.push({ type: " ", text: "" })
    // "\ No newline at end of file" and anything else: not content.
  }
  // A trailing empty line is the text's final newline, not content.
  const lastHunk = files[files.length - 1]?.hunks.at(-1)
  const tail = lastHunk?.lines.at(-1)
  if (text.endsWith("\n") && tail?.type === " " && tail.text === "") lastHunk?.lines.pop()
  return files
}

export interface DiffSides {
  readonly original: string
  readonly modified: string
  /** Real line number of each shown line (index 0 is editor line 1); null for "⋯". */
  readonly originalNumbers: ReadonlyArray<number | null>
  readonly modifiedNumbers: ReadonlyArray<number | null>
}

export const GAP = "⋯"

export const diffSides = (file: DiffFile): DiffSides => {
  const original: string[] = []
  const modified: string[] = []
  const originalNumbers: Array<number | null> = []
  const modifiedNumbers: Array<number | null> = []
  file.hunks.forEach((hunk, index) => {
    if (index > 0 || hunk.oldStart > 1 || hunk.newStart > 1) {
      original.push(GAP)
      modified.push(GAP)
      originalNumbers.push(null)
      modifiedNumbers.push(null)
    }
    let o = hunk.oldStart
    let n = hunk.newStart
    for (const line of hunk.lines) {
      if (line.type !== "+") {
        original.push(line.text)
        originalNumbers.push(o++)
      }
      if (line.type !== "-") {
        modified.push(line.text)
        modifiedNumbers.push(n++)
      }
    }
  })
  return {
    original: original.join("\n"),
    modified: modified.join("\n"),
    originalNumbers,
    modifiedNumbers,
  }
}

/** The editor line showing real line `line` of the new file, or null when it is not in a hunk. */
export const editorLineFor = (sides: DiffSides, line: number): number | null => {
  const index = sides.modifiedNumbers.indexOf(line)
  return index === -1 ? null : index + 1
}

export const filePath = (file: DiffFile): string => file.newPath ?? file.oldPath ?? "(unknown)"

const EXTENSIONS: Record<string, string> = {
  ts: "typescript",
  tsx: "typescript",
  mts: "typescript",
  cts: "typescript",
  js: "javascript",
  jsx: "javascript",
  mjs: "javascript",
  cjs: "javascript",
  json: "json",
  md: "markdown",
  yml: "yaml",
  yaml: "yaml",
  css: "css",
  scss: "scss",
  html: "html",
  py: "python",
  go: "go",
  rs: "rust",
  java: "java",
  rb: "ruby",
  sh: "shell",
  sql: "sql",
  toml: "ini",
  dockerfile: "dockerfile",
}

export const languageFor = (path: string): string => {
  const name = path.split("/").pop()?.toLowerCase() ?? ""
  if (name === "dockerfile") return "dockerfile"
  return EXTENSIONS[name.split(".").pop() ?? ""] ?? "plaintext"
}
