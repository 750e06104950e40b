// Reads why a git host refused a push from git's own output. Two refusals
// need different answers: the branch moved on (non-fast-forward: a human
// decides how to reconcile) and a permission refusal (e.g. GitHub's
// "refusing to allow a GitHub App to create or update workflow … without
// `workflows` permission", peter-evans/create-pull-request#1713): that one is
// never "branch moved", and no retry or rebase helps.
import type { PushResult } from "./sandbox-types.ts"

export type PushRefusal =
  | { readonly kind: "non-fast-forward" }
  | { readonly kind: "permission"; readonly detail: string }

const PERMISSION = [
  /refusing to allow a GitHub App to create or update workflow[^\n)]*/,
  /refusing to allow an? (?:OAuth App|Personal Access Token)[^\n)]*/,
  /Permission to \S+ denied to [^\n]*/,
  /protected branch hook declined[^\n]*/,
  /The requested URL returned error: 403[^\n]*/,
]

export const classifyPushOutput = (output: string): PushRefusal | null => {
  for (const pattern of PERMISSION) {
    const found = pattern.exec(output)
    if (found !== null) return { kind: "permission", detail: found[0].trim() }
  }
  // git's words for a ref the remote has moved past: "! [rejected] … (non-fast-forward)"
  // or "(fetch first)"; "[remote rejected]" alone is the server's refusal, not this.
  if (/\[rejected\]|non-fast-forward|\(fetch first\)/.test(output))
    return { kind: "non-fast-forward" }
  return null
}

/** A push git refused because the branch moved on: the "rejected" result; otherwise null. */
export const branchMoved = (output: string, branch: string): PushResult | null =>
  classifyPushOutput(output)?.kind === "non-fast-forward"
    ? { kind: "rejected", reason: `${branch} moved on the remote; a fast-forward push was refused` }
    : null
