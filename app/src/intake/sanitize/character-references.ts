// `&#x200B;`, `&zwj;`, `&#917760;`: a character reference renders as the
// character it names, so one naming an invisible character hides data just
// as the character itself would. Code spans and blocks show references
// literally, so those are left alone.
import { decodeHTMLStrict } from "entities"
import type { Edit } from "./edits.ts"
import { isInvisible } from "./invisible-characters.ts"

const REFERENCE = /&(?:#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]{1,31});/g

export const invisibleReferenceEdits = (
  text: string,
  code: ReadonlyArray<readonly [number, number]>,
): Edit[] => {
  const edits: Edit[] = []
  let next = 0
  for (const match of text.matchAll(REFERENCE)) {
    const start = match.index
    while (next < code.length && (code[next]?.[1] ?? 0) <= start) next++
    const inCode = (code[next]?.[0] ?? Number.POSITIVE_INFINITY) <= start
    if (!inCode && isInvisible(decodeHTMLStrict(match[0])))
      edits.push({ start, end: start + match[0].length, replacement: "" })
  }
  return edits
}
