// Turns what GitHub holds into what the agent is given: every part sanitised
// like prompts (hidden HTML, invisible and bidi characters), cut to the
// policy's budgets, and quoted as data under the initiator's instruction.
// Pure and deterministic: the same inputs give the same prompt and digest,
// so an operator can reproduce exactly what the model saw.
import { createHash } from "node:crypto"
import type { ContextPolicy } from "@patchplane/domain"
import { sanitizeForAgent } from "../intake/sanitize.ts"
import type { AssembledContext, ContextPart, GatheredContext } from "./context-types.ts"
import { renderPrompt } from "./render-prompt.ts"

const clip = (text: string, max: number) =>
  text.length <= max
    ? { text, truncated: false }
    : {
        text: `${text.slice(0, max)}\n[… ${text.length - max} more characters cut by PatchPlane's context budget]`,
        truncated: true,
      }

/** A part cut to `max` characters (after sanitising). */
const part = (
  kind: ContextPart["kind"],
  source: string,
  title: string,
  raw: string,
  max: number,
): ContextPart => {
  const clean = sanitizeForAgent(raw)
  const cut = clip(clean, max)
  return {
    kind,
    source,
    title,
    originalChars: clean.length,
    chars: cut.text.length,
    truncated: cut.truncated,
    sanitised: clean !== raw.trim(),
    text: cut.text,
  }
}

export interface AssembleInput {
  readonly instruction: string
  readonly initiator: string
  readonly repository: string
  readonly gathered: GatheredContext
  readonly policy: ContextPolicy
}

export const assembleContext = (input: AssembleInput): AssembledContext => {
  const { gathered, policy } = input
  let left = policy.maxTotalChars
  const parts: Array<ContextPart> = []
  const omitted: Array<string> = []
  // Priority when the total is short: the issue itself, the repository's
  // instructions, failing CI logs, the PR's diff and commits, then the conversation from its newest
  // comment back.
  const take = (candidate: ContextPart) => {
    if (left <= 0) {
      omitted.push(`${candidate.source} (total budget spent)`)
      return null
    }
    const cut = clip(candidate.text, left)
    const fitted =
      candidate.chars <= left
        ? candidate
        : { ...candidate, text: cut.text, chars: cut.text.length, truncated: true }
    left -= fitted.chars
    return fitted
  }

  const conversation = gathered.conversation
  if (conversation !== null) {
    const labels =
      conversation.labels.length === 0 ? "" : `\nLabels: ${conversation.labels.join(", ")}`
    const head = take(
      part(
        conversation.kind,
        conversation.source,
        `${conversation.kind === "issue" ? "Issue" : "Pull request"} ${conversation.source}, opened by @${conversation.author}`,
        `# ${conversation.title}${labels}\n\n${conversation.body}`,
        policy.maxBodyChars,
      ),
    )
    if (head !== null) parts.push(head)
  }
  for (const file of gathered.instructions) {
    const taken = take(
      part(
        "instructions",
        file.source,
        `Repository instructions ${file.source}`,
        file.text,
        policy.maxInstructionsChars,
      ),
    )
    if (taken !== null) parts.push(taken)
  }
  for (const job of gathered.failingJobs) {
    const taken = take(part("ci_log", job.source, job.path, job.text, policy.maxLogChars))
    if (taken !== null) parts.push(taken)
  }
  // What the PR changes so far: the agent continues this work.
  if (gathered.diff !== null) {
    const d = gathered.diff
    const taken = take(part("diff", d.source, d.path, d.text, policy.maxDiffChars))
    if (taken !== null) parts.push(taken)
  }
  if (gathered.commits !== null) {
    const c = gathered.commits
    const taken = take(part("commits", c.source, c.path, c.text, policy.maxCommitsChars))
    if (taken !== null) parts.push(taken)
  }
  let conversationLeft = policy.maxCommentsChars
  const kept: Array<ContextPart> = []
  for (const comment of gathered.comments.toReversed()) {
    const candidate = part(
      comment.kind,
      comment.source,
      comment.title,
      comment.body,
      policy.maxCommentChars,
    )
    if (candidate.chars === 0) continue // nothing a reader could see
    if (candidate.chars > conversationLeft || candidate.chars > left) {
      omitted.push(
        `${comment.source} by @${comment.author} (older than the conversation budget kept)`,
      )
      conversationLeft = 0
      continue
    }
    conversationLeft -= candidate.chars
    const taken = take(candidate)
    if (taken !== null) kept.push(taken)
  }
  parts.push(...kept.toReversed())

  const prompt = renderPrompt({
    instruction: input.instruction,
    initiator: input.initiator,
    repository: input.repository,
    parts,
  })
  return {
    prompt,
    digest: createHash("sha256").update(prompt).digest("hex"),
    parts,
    omitted: omitted.toReversed(),
    totalChars: parts.reduce((sum, p) => sum + p.chars, 0),
  }
}
