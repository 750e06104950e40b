// The raw HTML a comment holds, read the way a browser reads it (htmlparser2's
// tokenizer: a linear state machine, no regular expressions). Yields edits
// that remove what a rendered comment never shows — comments, declarations,
// processing instructions, `hidden` elements with everything inside them
// (nested ones included), tags cut off by the end of the text — and rewrite
// every other start tag to keep only `href` and `src`.
import { QuoteType, Tokenizer, type TokenizerCallbacks } from "htmlparser2"
import type { Edit } from "./edits.ts"

/** Elements whose content a rendered comment never shows, `hidden` or not. */
const NEVER_SHOWN = new Set(["script", "style", "template", "noscript"])
const VOID = new Set("area base br col embed hr img input link meta source track wbr".split(" "))
const KEPT_ATTRIBUTES = new Set(["href", "src"])

interface OpenTag {
  start: number
  name: string
  attributes: Map<string, string>
  attributeName: string
  attributeValue: string
  hidden: boolean
}

/**
 * Edits for the HTML in `text`. `chunks` are the source ranges Markdown
 * parses as HTML (in order); text between them is Markdown, but an element
 * opened in one chunk and closed in a later one hides all of it, as rendered.
 */
export const htmlEdits = (
  text: string,
  chunks: ReadonlyArray<readonly [number, number]>,
): Edit[] => {
  const edits: Edit[] = []
  // Our own element stack: the names open, and how many of each, so a stray
  // end tag costs O(1) rather than a scan of the stack.
  const stack: string[] = []
  const openCount = new Map<string, number>()
  let hiddenFrom: { start: number; depth: number } | null = null
  let tag: OpenTag | null = null
  let base = 0

  const push = (name: string) => {
    stack.push(name)
    openCount.set(name, (openCount.get(name) ?? 0) + 1)
  }
  const popTo = (name: string) => {
    if ((openCount.get(name) ?? 0) === 0) return false
    for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
      openCount.set(top, (openCount.get(top) ?? 1) - 1)
      if (top === name) break
    }
    return true
  }
  const endHiddenIfClosed = (end: number) => {
    if (hiddenFrom !== null && stack.length < hiddenFrom.depth) {
      edits.push({ start: hiddenFrom.start, end, replacement: "" })
      hiddenFrom = null
    }
  }
  const finishOpenTag = (endIndex: number, selfClosing: boolean) => {
    const open = tag
    tag = null
    if (open === null) return
    const end = base + endIndex + 1
    const isVoid = VOID.has(open.name)
    if (hiddenFrom === null && (open.hidden || NEVER_SHOWN.has(open.name))) {
      if (isVoid) edits.push({ start: open.start, end, replacement: "" })
      else hiddenFrom = { start: open.start, depth: stack.length + 1 }
    }
    if (!isVoid) push(open.name)
    if (hiddenFrom !== null) return
    const kept = [...open.attributes]
      .filter(([name]) => KEPT_ATTRIBUTES.has(name))
      .map(([name, value]) => ` ${name}="${value.replaceAll('"', "&quot;")}"`)
      .join("")
    edits.push({
      start: open.start,
      end,
      replacement: `<${open.name}${kept}${selfClosing ? " /" : ""}>`,
    })
  }
  const removeToken = (start: number, endIndex: number) => {
    const from = text.lastIndexOf("<", base + start - 1)
    const to = text[base + endIndex] === ">" ? base + endIndex + 1 : base + endIndex
    edits.push({ start: from, end: to, replacement: "" })
  }

  const callbacks: TokenizerCallbacks = {
    onopentagname(start, endIndex) {
      tag = {
        start: base + start - 1,
        name: text.slice(base + start, base + endIndex).toLowerCase(),
        attributes: new Map(),
        attributeName: "",
        attributeValue: "",
        hidden: false,
      }
    },
    onattribname(start, endIndex) {
      if (tag === null) return
      tag.attributeName = text.slice(base + start, base + endIndex).toLowerCase()
      tag.attributeValue = ""
    },
    onattribdata(start, endIndex) {
      if (tag !== null) tag.attributeValue += text.slice(base + start, base + endIndex)
    },
    onattribentity() {},
    onattribend(_quote: QuoteType) {
      if (tag === null) return
      if (tag.attributeName === "hidden") tag.hidden = true
      // The first of a repeated attribute wins, as in HTML.
      if (!tag.attributes.has(tag.attributeName))
        tag.attributes.set(tag.attributeName, tag.attributeValue)
    },
    onopentagend(endIndex) {
      finishOpenTag(endIndex, false)
    },
    onselfclosingtag(endIndex) {
      // HTML ignores `/>` on ordinary elements: `<div hidden/>` still hides what follows.
      finishOpenTag(endIndex, true)
    },
    onclosetag(start, endIndex) {
      const name = text.slice(base + start, base + endIndex).toLowerCase()
      const close = text.indexOf(">", base + endIndex)
      const end = close === -1 ? text.length : close + 1
      if (popTo(name)) endHiddenIfClosed(end)
    },
    oncomment: removeToken,
    ondeclaration: removeToken,
    onprocessinginstruction: removeToken,
    oncdata: removeToken,
    ontext() {},
    ontextentity() {},
    onend() {},
  }

  for (const [from, to] of chunks) {
    base = from
    const tokenizer = new Tokenizer({ decodeEntities: false }, callbacks)
    tokenizer.write(text.slice(from, to))
    tokenizer.end()
    // A tag the chunk never closes swallows the rest of it, as in a browser.
    // (The callbacks set `tag`; the cast undoes the narrowing TS cannot see past.)
    const cut = tag as OpenTag | null
    if (cut !== null) edits.push({ start: cut.start, end: to, replacement: "" })
    tag = null
  }
  const unclosed = hiddenFrom as { start: number } | null
  if (unclosed !== null) edits.push({ start: unclosed.start, end: text.length, replacement: "" })
  return edits
}
