// The `/patchplane` command grammar. Pure: text in, command out.
//
//   /patchplane <prompt>            run the agent; the prompt is the rest of the
//   /patchplane run <prompt>        line plus every line after it
//   /patchplane status | cancel | approve | retry | help
//   /patchplane reject [reason]
//   /patchplane steer <message>     redirect a running agent
//
// Only the first line that starts with `/patchplane` counts (case-insensitive,
// up to three spaces of indentation); lines inside code fences and `>` quotes
// are ignored, so quoting a command never runs it.
import { removeInvisible } from "./sanitize/invisible-characters.ts"

export const SUBCOMMANDS = [
  "run",
  "status",
  "cancel",
  "approve",
  "reject",
  "retry",
  "steer",
  "revert",
  "help",
] as const
export type Subcommand = (typeof SUBCOMMANDS)[number]

export type SlashCommand =
  | { readonly kind: "run"; readonly prompt: string }
  | { readonly kind: "status"; readonly note: string }
  | { readonly kind: "cancel"; readonly note: string }
  | { readonly kind: "approve"; readonly note: string }
  | { readonly kind: "retry"; readonly note: string }
  | { readonly kind: "help"; readonly note: string }
  | { readonly kind: "reject"; readonly reason: string }
  | { readonly kind: "steer"; readonly message: string }
  /** Alone on its line only: "/patchplane revert the date change" is a prompt. */
  | { readonly kind: "revert" }
  /** A command that cannot be acted on; `problem` says why, for the reply. */
  | {
      readonly kind: "invalid"
      readonly problem: "empty-prompt" | "empty-steer" | "unknown-subcommand"
      readonly word?: string
      readonly suggestion?: Subcommand
    }

const COMMAND_LINE = /^ {0,3}\/patchplane(?=\s|$)(.*)$/i
const FENCE = /^ {0,3}(`{3,}|~{3,})/
const QUOTE = /^ {0,3}>/

/** Finds the command line; returns the text after `/patchplane` and the lines after it. */
const findCommand = (text: string): { rest: string; following: string } | null => {
  const lines = text.replace(/\r\n?/g, "\n").split("\n")
  let fence: string | null = null
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? ""
    const marker = FENCE.exec(line)?.[1]
    if (marker !== undefined) {
      if (fence === null) fence = marker
      else if (marker[0] === fence[0] && marker.length >= fence.length) fence = null
      continue
    }
    if (fence !== null || QUOTE.test(line)) continue
    const match = COMMAND_LINE.exec(line)
    if (match) return { rest: match[1] ?? "", following: lines.slice(i + 1).join("\n") }
  }
  return null
}

/**
 * Whether the text as written has a `/patchplane` command line (invisible
 * characters aside). A single cheap scan, run before anything costly: a
 * command must be a command line as written AND once hidden text is removed.
 */
export const holdsCommandLine = (text: string): boolean =>
  findCommand(removeInvisible(text)) !== null

/** Optimal string alignment distance: a transposed pair counts as one edit. */
const editDistance = (a: string, b: string): number => {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_cell, j) => (i === 0 ? j : j === 0 ? i : 0)),
  )
  const at = (i: number, j: number) => d[i]?.[j] ?? Number.POSITIVE_INFINITY
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1)
      const row = d[i]
      if (row) row[j] = best
    }
  }
  return at(a.length, b.length)
}

const closest = (word: string, maxDistance: number): Subcommand | undefined => {
  let best: Subcommand | undefined
  let bestDistance = maxDistance + 1
  for (const candidate of SUBCOMMANDS) {
    const distance = editDistance(word, candidate)
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance]
  }
  return best
}

const isSubcommand = (word: string): word is Subcommand =>
  (SUBCOMMANDS as ReadonlyArray<string>).includes(word)

/** The command in a comment or issue body, or null when there is none. */
export const parseSlashCommand = (text: string): SlashCommand | null => {
  const found = findCommand(text)
  if (found === null) return null
  const body = `${found.rest}\n${found.following}`.trim()
  const [first = ""] = body.split(/\s/, 1)
  const word = first.toLowerCase()
  const after = body.slice(first.length).trim()

  if (body === "") return { kind: "invalid", problem: "empty-prompt" }
  if (isSubcommand(word)) {
    switch (word) {
      case "run":
        return after === ""
          ? { kind: "invalid", problem: "empty-prompt" }
          : { kind: "run", prompt: after }
      case "reject":
        return { kind: "reject", reason: after }
      case "steer":
        return after === ""
          ? { kind: "invalid", problem: "empty-steer" }
          : { kind: "steer", message: after }
      case "revert":
        return after === "" ? { kind: "revert" } : { kind: "run", prompt: body }
      default:
        return { kind: word, note: after }
    }
  }
  // A lone word is a command attempt ("/patchplane stauts"), never a prompt;
  // in a longer text, only a near-miss typo of a subcommand is.
  const lone = after === ""
  const suggestion = closest(word, lone ? 2 : 1)
  if (lone || (suggestion !== undefined && word.length >= 4))
    return {
      kind: "invalid",
      problem: "unknown-subcommand",
      word: first,
      ...(suggestion === undefined ? {} : { suggestion }),
    }
  return { kind: "run", prompt: body }
}
