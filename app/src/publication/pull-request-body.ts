// The draft PR a run opens: a title from the prompt and a body that says what
// was asked, by whom, what changed, what needs a careful look, and where the
// record lives. A marker lets PatchPlane recognise its own PRs.
import { type DependencyChange, type FileChange, markdownCell } from "@patchplane/domain"

export interface PullRequestContent {
  readonly runId: string
  readonly promptRequestId: string
  readonly runtimeSessionId: string | null
  readonly patchSetId: string
  readonly prompt: string
  readonly initiator: string
  readonly issueNumber: number | null
  readonly dashboardUrl: string
  readonly files: ReadonlyArray<FileChange>
  readonly summary: {
    readonly filesChanged: number
    readonly additions: number
    readonly deletions: number
  }
  readonly dependencyChanges: ReadonlyArray<DependencyChange>
  readonly testsRun: ReadonlyArray<string>
}

const MAX_TITLE = 72
const MAX_FILES = 50
const MAX_PROMPT = 2_000

export const pullRequestMarker = (runId: string) => `<!-- patchplane:pull-request run=${runId} -->`

/** First line of the prompt, trimmed to a PR title's usual length. */
export const pullRequestTitle = (prompt: string): string => {
  const first = prompt.trim().split("\n")[0]?.trim() ?? ""
  const text = first === "" ? "changes requested through PatchPlane" : first
  return text.length <= MAX_TITLE ? text : `${text.slice(0, MAX_TITLE - 1).trimEnd()}…`
}

const quote = (text: string) =>
  (text.length > MAX_PROMPT ? `${text.slice(0, MAX_PROMPT)}…` : text)
    .split("\n")
    .map((line) => `> ${line}`)
    .join("\n")

// Inside code spans too: a backtick would end the span.
const cell = (text: string) => markdownCell(text).replace(/`/g, "'")

const dependencyLine = (change: DependencyChange) =>
  `- \`${cell(change.name === "*" ? change.manifest : change.name)}\` in \`${cell(change.manifest)}\`${
    change.from === null && change.to === null
      ? ""
      : `: ${change.from ?? "(new)"} → ${change.to ?? "(removed)"}`
  }`

export const renderPullRequestBody = (input: PullRequestContent): string => {
  const { summary } = input
  const files = input.files
    .slice(0, MAX_FILES)
    .map((f) => `| \`${cell(f.path)}\` | ${f.status} | +${f.additions} | −${f.deletions} |`)
  const more = input.files.length - files.length
  return [
    "## Request",
    "",
    quote(input.prompt),
    "",
    `Requested by @${input.initiator}${input.issueNumber === null ? "" : ` in #${input.issueNumber}`} · [run in the PatchPlane dashboard](${input.dashboardUrl})`,
    "",
    "## Patch",
    "",
    `${summary.filesChanged} file${summary.filesChanged === 1 ? "" : "s"} changed, +${summary.additions} −${summary.deletions}`,
    "",
    "| File | Change | Added | Removed |",
    "| --- | --- | --- | --- |",
    ...files,
    ...(more > 0 ? [`| … and ${more} more | | | |`] : []),
    "",
    ...(input.dependencyChanges.length === 0
      ? []
      : [
          "> [!WARNING]",
          "> This patch changes dependencies. It needs a human review of what they pull in:",
          "",
          ...input.dependencyChanges.map(dependencyLine),
          "",
        ]),
    input.testsRun.length === 0
      ? "The agent ran no tests."
      : `Tests the agent ran: ${input.testsRun.map((t) => `\`${cell(t)}\``).join(", ")}`,
    "",
    "This is a draft until the review policy passes. PatchPlane never merges: a human does.",
    "",
    "<details><summary>Provenance</summary>",
    "",
    `- PromptRequest \`${input.promptRequestId}\``,
    `- WorkflowRun \`${input.runId}\``,
    ...(input.runtimeSessionId === null ? [] : [`- RuntimeSession \`${input.runtimeSessionId}\``]),
    `- PatchSet \`${input.patchSetId}\``,
    "",
    "</details>",
    "",
    pullRequestMarker(input.runId),
  ].join("\n")
}
