// Text a human reviewer cannot see is where an attacker hides instructions
// for the agent. Before any issue/PR text reaches an agent we keep only what
// the rendered comment shows: invisible characters (every format character,
// variation selectors, and references to them), HTML comments, elements
// marked `hidden` (nested too), attributes other than href/src, image alt
// text, link titles and unused link reference definitions are removed. The
// raw text is stored beside the result.
//
// Every step is a parser or a single forward scan — Markdown via micromark,
// HTML via htmlparser2's tokenizer — so the time is linear in the text's
// length: no regular expression here can backtrack.
import { applyEdits } from "./sanitize/edits.ts"
import { htmlEdits } from "./sanitize/html-edits.ts"
import { invisibleReferenceEdits } from "./sanitize/character-references.ts"
import { removeInvisible } from "./sanitize/invisible-characters.ts"
import { markdownParts } from "./sanitize/markdown-edits.ts"

const tidy = (text: string) =>
  text
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim()

/** One pass; `cut` says whether it removed or rewrote anything (else a new pass finds nothing). */
const sanitizeOnce = (text: string): { out: string; cut: boolean } => {
  const visible = removeInvisible(text.normalize("NFC"))
  const markdown = markdownParts(visible)
  const edits = [
    ...markdown.edits,
    ...htmlEdits(visible, markdown.html),
    ...invisibleReferenceEdits(visible, markdown.code),
  ]
  // An HTML comment that never closes hides everything after it.
  if (markdown.danglingComment !== null)
    edits.push({ start: markdown.danglingComment, end: visible.length, replacement: "" })
  return { out: tidy(applyEdits(visible, edits)), cut: edits.length > 0 }
}

/**
 * Repeats until nothing changes: removing one construct can complete another
 * ("<!<!---->--"). A fixed number of linear passes keeps it linear.
 */
export const sanitizeForAgent = (text: string): string => {
  let pass = sanitizeOnce(text)
  for (let i = 0; i < 10 && pass.cut; i++) {
    const next = sanitizeOnce(pass.out)
    if (next.out === pass.out) return pass.out
    pass = next
  }
  return pass.out
}
