// Characters that render as nothing but still reach a model: every Unicode
// format character (category Cf: zero-width, bidi controls, tag characters,
// soft hyphen, BOM…), variation selectors (U+FE00–FE0F, U+E0100–E01EF, the
// Mongolian ones), and the fillers that render blank (combining grapheme
// joiner, Hangul fillers, Khmer inherent vowels). Variation selectors carry
// a byte each when used as data, so they go too.
// (\p{Variation_Selector} is U+180B–180D, U+180F, U+FE00–FE0F, U+E0100–E01EF.)
const ALTERNATIVES = String.raw`\p{Cf}|\p{Variation_Selector}|\u034F|\u17B4|\u17B5|[\u115F\u1160\u3164\uFFA0]`
const INVISIBLE = new RegExp(ALTERNATIVES, "gu")
const ANY_INVISIBLE = new RegExp(ALTERNATIVES, "u")

export const isInvisible = (text: string): boolean => ANY_INVISIBLE.test(text)

export const removeInvisible = (text: string): string => text.replace(INVISIBLE, "")
