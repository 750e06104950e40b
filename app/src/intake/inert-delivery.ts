// Most deliveries need no work: comments without a command, events nobody
// handles. Telling them apart up front (cheaply, with the same parser the
// handlers use) lets the endpoint record them in one write, final outcome
// included, instead of "received" then "ignored". No sanitising here: that
// comes after the permission check, for commands only.
import { holdsCommandLine } from "./slash-command.ts"

/** Events whose handlers act (installations, reviews) always take the full path. */
const HANDLED = new Set([
  "installation",
  "installation_repositories",
  "pull_request_review",
  "workflow_run",
  "check_run",
  "pull_request",
])
/** Events that can carry a command, and the action that can start one. */
const COMMAND_CARRIERS: Readonly<Record<string, string>> = {
  issue_comment: "created",
  pull_request_review_comment: "created",
  issues: "opened",
  // `edited` actions take the full path so their outcome says why they are ignored.
}
// Their other actions (edits, `issues.closed`) take the full path too.
const EDITS = new Set(["issue_comment", "pull_request_review_comment", "issues"])

/** Why a delivery needs no work, or null when the handlers must see it. */
export const inertReason = (event: string, payload: Record<string, unknown>): string | null => {
  if (HANDLED.has(event)) return null
  const action = typeof payload.action === "string" ? payload.action : undefined
  if (EDITS.has(event) && action !== COMMAND_CARRIERS[event]) return null
  if (COMMAND_CARRIERS[event] === undefined)
    return `no handler for ${action === undefined ? event : `${event}.${action}`}`
  const holder = (event === "issues" ? payload.issue : payload.comment) as
    | { body?: unknown }
    | undefined
  const text = holder?.body
  if (typeof text !== "string") return text === null ? "no /patchplane command" : null
  return holdsCommandLine(text) ? null : "no /patchplane command"
}
