// What a run's agent is shown besides its instruction: the or PR's
// text and conversation and the repository's instructions, as read from
// GitHub (gathered) and as given to the model (assembled).

export interface GatheredConversation {
  readonly kind: "issue" | "pull_request"
  /** owner/name#number */
  readonly source: string
  readonly title: string
  readonly body: string
  readonly labels: ReadonlyArray<string>
  readonly author: string
}

/** One entry of the conversation: a comment, a review, or an inline review comment. */
export interface GatheredComment {
  readonly kind: "comment" | "review" | "review_comment"
  readonly id: number
  readonly source: string
  /** The header the agent sees: who, when, and for inline comments where. */
  readonly title: string
  readonly author: string
  readonly createdAt: string
  /** For an inline comment, the diff hunk it points at comes first. */
  readonly body: string
}

export interface GatheredFile {
  readonly path: string
  /** path@ref */
  readonly source: string
  readonly text: string
}

/** Raw text as GitHub holds it; nothing sanitised or cut yet. */
export interface GatheredContext {
  readonly conversation: GatheredConversation | null
  /** Oldest first: comments, reviews and inline review comments together. */
  readonly comments: ReadonlyArray<GatheredComment>
  readonly instructions: ReadonlyArray<GatheredFile>
  /** For a PR: the failing CI jobs on its head, with their log tails. */
  readonly failingJobs: ReadonlyArray<GatheredFile>
  /** For a PR: its changed files and their patches, as one diff. */
  readonly diff: GatheredFile | null
  /** For a PR: its commit messages, oldest first. */
  readonly commits: GatheredFile | null
}

export const emptyContext: GatheredContext = {
  conversation: null,
  comments: [],
  instructions: [],
  failingJobs: [],
  diff: null,
  commits: null,
}

export interface ContextPart {
  readonly kind:
    | "issue"
    | "pull_request"
    | "comment"
    | "review"
    | "review_comment"
    | "instructions"
    | "ci_log"
    | "diff"
    | "commits"
  readonly source: string
  /** The header line the agent sees above the quoted text. */
  readonly title: string
  readonly originalChars: number
  readonly chars: number
  readonly truncated: boolean
  readonly sanitised: boolean
  readonly text: string
}

/** What the model was given, and how it was made: stored with the run. */
export interface AssembledContext {
  readonly prompt: string
  /** sha256 of `prompt`. */
  readonly digest: string
  readonly parts: ReadonlyArray<ContextPart>
  /** What the budget left out whole. */
  readonly omitted: ReadonlyArray<string>
  /** Characters of quoted text. */
  readonly totalChars: number
}
