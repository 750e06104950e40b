// GitHub Actions workflows a PatchSet changes. A workflow that can read
// secrets (`secrets.*`, or the job's token via `github.token`) runs the
// repository's code with them: changing it can hand a secret to new code,
// which is the same supply-chain risk as a new dependency — always a human's
// decision, never a warning.
import { posix } from "node:path"

const workflowPath = /^\.github\/workflows\/[^/]+\.ya?ml$/

export const isWorkflowFile = (path: string): boolean => workflowPath.test(posix.normalize(path))

/** Why a changed workflow is high risk, or null (not a workflow, or it touches no secret). */
export const workflowRisk = (path: string, after: string | null): string | null => {
  if (!isWorkflowFile(path)) return null
  if (after === null) return "workflow changed; too large to check which secrets it hands on"
  const names = new Set<string>()
  for (const match of after.matchAll(
    /\bsecrets\s*(?:\.\s*([A-Za-z_][\w-]*)|\[\s*['"]([^'"]+)['"]\s*\])/g,
  ))
    names.add(`secrets.${match[1] ?? match[2] ?? ""}`)
  if (/\bsecrets\s*:\s*inherit\b/.test(after)) names.add("secrets: inherit")
  if (/\bgithub\s*\.\s*token\b/.test(after)) names.add("github.token")
  if (names.size === 0) return null
  const list = [...names].toSorted()
  return `workflow changed that hands ${list.slice(0, 5).join(", ")}${list.length > 5 ? ` and ${list.length - 5} more` : ""} to the code it runs`
}
