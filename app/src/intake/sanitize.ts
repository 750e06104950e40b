// Text a human reviewer cannot see is where an attacker hides instructions
// for the agent. Before any issue/PR text reaches an agent we remove it:
// HTML comments, zero-width and bidirectional control characters, elements
// marked `hidden`, HTML attributes other than href/src (title, alt, data-*,
// aria-*), and image alt text. The raw text is stored beside the result.

// Zero-width, word-joiner, invisible operators, BOM, Mongolian vowel separator,
// soft hyphen, fillers, variation selectors, tag characters, and the bidi
// embedding/override/isolate controls — as code point ranges.
const INVISIBLE_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x00ad, 0x00ad],
  [0x034f, 0x034f],
  [0x061c, 0x061c],
  [0x115f, 0x1160],
  [0x17b4, 0x17b5],
  [0x180e, 0x180e],
  [0x200b, 0x200f],
  [0x202a, 0x202e],
  [0x2060, 0x2064],
  [0x2066, 0x206f],
  [0x3164, 0x3164],
  [0xfe00, 0xfe0f],
  [0xfeff, 0xfeff],
  [0xffa0, 0xffa0],
  [0xe0000, 0xe007f],
]

const isInvisible = (codePoint: number) =>
  INVISIBLE_RANGES.some(([from, to]) => codePoint >= from && codePoint <= to)

const removeInvisible = (text: string) =>
  Array.from(text)
    .filter((char) => !isInvisible(char.codePointAt(0) ?? 0))
    .join("")

const HTML_COMMENT = /<!--[\s\S]*?(?:-->|$)/g
const HIDDEN_ELEMENT =
  /<([a-z][a-z0-9-]*)\b[^>]*\shidden(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?[^>]*>[\s\S]*?<\/\1\s*>/gi
const TAG = /<([a-z][a-z0-9-]*)\b((?:[^>"']|"[^"]*"|'[^']*')*)(\/?)>/gi
const KEPT_ATTRIBUTE = /\s(href|src)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi
const MARKDOWN_IMAGE = /!\[[^\]]*\]\(/g

const stripAttributes = (_tag: string, name: string, attributes: string, selfClosing: string) => {
  const kept = [...attributes.matchAll(KEPT_ATTRIBUTE)].map((m) => ` ${m[1]}=${m[2]}`).join("")
  return `<${name}${kept}${selfClosing}>`
}

const sanitizeOnce = (text: string): string => {
  let out = removeInvisible(text.normalize("NFC"))
  out = out.replace(HTML_COMMENT, "")
  // Repeat: a hidden element may contain another one.
  for (let previous = ""; previous !== out;) {
    previous = out
    out = out.replace(HIDDEN_ELEMENT, "")
  }
  out = out.replace(TAG, stripAttributes)
  out = out.replace(MARKDOWN_IMAGE, "![](")
  return out
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim()
}

/** Repeats until nothing changes: removing one construct can complete another ("<!<!---->--"). */
export const sanitizeForAgent = (text: string): string => {
  let out = sanitizeOnce(text)
  for (let i = 0; i < 10; i++) {
    const next = sanitizeOnce(out)
    if (next === out) return out
    out = next
  }
  return out
}
