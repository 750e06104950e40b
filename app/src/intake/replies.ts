// What PatchPlane says back in an issue or PR when it will not (or cannot) act.
import type { SlashCommand } from "./slash-command.ts"

export const USAGE = [
  "**PatchPlane commands** (one per comment, on a line of its own):",
  "",
  "| Command | What it does |",
  "| --- | --- |",
  "| `/patchplane <prompt>` or `/patchplane run <prompt>` | Start an agent run; the prompt is the rest of the comment |",
  "| `/patchplane status` | Show the state of the latest run here |",
  "| `/patchplane cancel` | Stop the latest run |",
  "| `/patchplane approve` / `/patchplane reject [reason]` | Decide a run waiting for approval |",
  "| `/patchplane retry` | Start a stopped run again |",
  "| `/patchplane steer <message>` | Send the running agent a message |",
  "| `/patchplane revert` | On a merged PatchPlane PR: open a PR that reverts it |",
  "| `/patchplane help` | Show this help |",
].join("\n")

/** The text could not be sanitised within its bound (too long, or too costly to parse). */
export const unreadableReply = (reason: string): string =>
  `PatchPlane could not read this comment safely (${reason}), so it did nothing. Please shorten or simplify it and try again.`

export const invalidCommandReply = (
  command: Extract<SlashCommand, { kind: "invalid" }>,
): string => {
  switch (command.problem) {
    case "empty-prompt":
      return `Tell PatchPlane what to do: \`/patchplane <prompt>\`, e.g. \`/patchplane fix the failing date test\`.\n\n${USAGE}`
    case "empty-steer":
      return `\`/patchplane steer\` needs a message for the agent, e.g. \`/patchplane steer use the existing helper\`.\n\n${USAGE}`
    case "unknown-subcommand": {
      const hint = command.suggestion ? ` Did you mean \`/patchplane ${command.suggestion}\`?` : ""
      return `\`${command.word ?? ""}\` is not a PatchPlane command.${hint}\n\n${USAGE}`
    }
  }
}

export const notAllowedReply = (login: string, repository: string): string =>
  `Sorry @${login}, only people with write access to ${repository} can ask PatchPlane to act here.`

export const promptTooLongReply = (length: number, max: number): string =>
  `This prompt is ${length.toLocaleString("en-US")} characters long; PatchPlane accepts at most ${max.toLocaleString("en-US")}. Please shorten it or link to the details.`

export const forkReply =
  "PatchPlane does not run on pull requests from forks: their code and branches are not under this repository's control."

export const noRunReply =
  "There is no PatchPlane run here yet. Start one with `/patchplane <prompt>`."

export const revertWhereReply =
  "`/patchplane revert` undoes a merged pull request that PatchPlane opened: comment it on that pull request."

export const revertNotOursReply = (number: number) =>
  `#${number} was not opened by PatchPlane, so \`/patchplane revert\` will not touch it. GitHub's **Revert** button on the merged pull request does the same for any PR.`

export const revertNotMergedReply = (number: number) =>
  `#${number} is not merged, so there is nothing to revert. Close it instead, or \`/patchplane cancel\` a run that is still going.`
