// A sanitising pass finds what to cut or rewrite as source ranges; applying
// them in one ordered sweep keeps the whole pass linear and leaves every
// character nobody flagged exactly as written.

export interface Edit {
  readonly start: number
  readonly end: number
  /** Text put in place of [start, end); "" removes it. */
  readonly replacement: string
}

/** Applies edits; one that starts inside an earlier (or enclosing) edit is dropped. */
export const applyEdits = (text: string, edits: ReadonlyArray<Edit>): string => {
  const ordered = edits.toSorted((a, b) => a.start - b.start || b.end - a.end)
  const parts: string[] = []
  let cursor = 0
  for (const edit of ordered) {
    if (edit.start < cursor) continue
    parts.push(text.slice(cursor, edit.start), edit.replacement)
    cursor = Math.max(cursor, edit.end)
  }
  parts.push(text.slice(cursor))
  return parts.join("")
}
