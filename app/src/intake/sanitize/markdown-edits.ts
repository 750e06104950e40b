// The Markdown a comment holds, parsed as GitHub parses it (CommonMark, via
// micromark/mdast). Yields what a rendered comment never shows: link
// reference definitions nothing uses (`[//]: # (a "comment")`), every link's
// and definition's title, and image alt text; and the source ranges that are
// raw HTML (for the HTML pass) or code (left exactly as written).
import type { Nodes, Root } from "mdast"
import { fromMarkdown } from "mdast-util-from-markdown"
import type { Edit } from "./edits.ts"

export interface MarkdownParts {
  readonly edits: Edit[]
  /** Source ranges Markdown reads as raw HTML, in document order. */
  readonly html: Array<readonly [number, number]>
  /** Source ranges of code spans and blocks, in document order. */
  readonly code: Array<readonly [number, number]>
  /** Where a `<!--` that never closes starts in plain text, if one does. */
  readonly danglingComment: number | null
}

/** A destination written so Markdown reads it back unchanged on one line. */
const destination = (url: string) =>
  url === "" ? "<>" : url.replace(/[\s()<>\\]/g, (c) => encodeURIComponent(c))

const range = (node: Nodes): readonly [number, number] | null => {
  const start = node.position?.start.offset
  const end = node.position?.end.offset
  return start === undefined || end === undefined ? null : [start, end]
}

/** Every node, parents before children, without recursion (nesting can be deep). */
const allNodes = (root: Root): Nodes[] => {
  const out: Nodes[] = []
  const pending: Nodes[] = [root]
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    out.push(node)
    if ("children" in node)
      for (let i = node.children.length - 1; i >= 0; i--) {
        const child = node.children[i]
        if (child !== undefined) pending.push(child)
      }
  }
  return out
}

export const markdownParts = (text: string): MarkdownParts => {
  const nodes = allNodes(fromMarkdown(text))
  const used = new Set<string>()
  const definitions = new Map<string, string>()
  for (const node of nodes) {
    if (node.type === "linkReference") used.add(node.identifier)
    if (node.type === "definition" && !definitions.has(node.identifier))
      definitions.set(node.identifier, node.url)
  }

  const parts: MarkdownParts = { edits: [], html: [], code: [], danglingComment: null }
  let dangling: number | null = null
  for (const node of nodes) {
    const at = range(node)
    if (at === null) continue
    const [start, end] = at
    switch (node.type) {
      case "html":
        parts.html.push(at)
        break
      case "code":
      case "inlineCode":
        parts.code.push(at)
        break
      case "text": {
        // Searched within the node only, so the whole walk stays linear.
        const open: number = dangling === null ? text.slice(start, end).indexOf("<!--") : -1
        if (open !== -1) dangling = start + open
        break
      }
      case "definition":
        parts.edits.push({
          start,
          end,
          replacement: used.has(node.identifier)
            ? `[${node.label ?? node.identifier}]: ${destination(node.url)}`
            : "",
        })
        break
      case "image":
        parts.edits.push({ start, end, replacement: `![](${destination(node.url)})` })
        break
      case "imageReference": {
        const url = definitions.get(node.identifier) ?? ""
        parts.edits.push({ start, end, replacement: `![](${destination(url)})` })
        break
      }
      case "link": {
        if (node.title === null || node.title === undefined) break
        const last = node.children.at(-1)
        const textEnd = last === undefined ? start + 1 : (range(last)?.[1] ?? start + 1)
        parts.edits.push({ start: textEnd, end, replacement: `](${destination(node.url)})` })
        break
      }
      default:
        break
    }
  }
  parts.html.sort((a, b) => a[0] - b[0])
  parts.code.sort((a, b) => a[0] - b[0])
  return { ...parts, danglingComment: dangling }
}
