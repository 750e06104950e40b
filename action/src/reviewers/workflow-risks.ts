// Risky patterns in GitHub workflow and action files. A change to CI is the
// shortest path from generated code to the repository's secrets, so any such
// change is flagged and these patterns are errors.
import type { Severity } from "@patchplane/domain"

export const isWorkflowFile = (path: string) =>
  /^\.github\/workflows\/[^/]+\.ya?ml$/.test(path) ||
  /(^|\/)action\.ya?ml$/.test(path) ||
  path.startsWith(".github/actions/")

export interface WorkflowRisk {
  readonly rule: string
  readonly severity: Severity
  readonly pattern: RegExp
  readonly message: string
}

export const workflowRisks: ReadonlyArray<WorkflowRisk> = [
  {
    rule: "pull-request-target",
    severity: "error",
    pattern: /\bpull_request_target\b/,
    message: "pull_request_target runs with the repository's secrets on code from the pull request",
  },
  {
    rule: "script-injection",
    severity: "error",
    pattern:
      /\$\{\{\s*github\.(?:head_ref|event\.(?:issue|pull_request|comment|review|review_comment|discussion|head_commit|commits|pages|workflow_run)\b)[^}]*\}\}/,
    message:
      "untrusted event text interpolated into the workflow (script injection); pass it through env",
  },
  {
    rule: "write-all",
    severity: "error",
    pattern: /permissions:\s*write-all\b/,
    message: "permissions: write-all gives every job full write access",
  },
  {
    rule: "curl-pipe-shell",
    severity: "error",
    pattern: /\b(?:curl|wget)\b[^|\n]*\|\s*(?:sudo\s+)?(?:ba|z|da)?sh\b/,
    message: "pipes a download straight into a shell",
  },
  {
    rule: "unsecure-commands",
    severity: "error",
    pattern: /\bACTIONS_ALLOW_UNSECURE_COMMANDS\b/,
    message: "re-enables the deprecated set-env/add-path commands",
  },
  {
    rule: "secrets-inherit",
    severity: "warning",
    pattern: /\bsecrets:\s*inherit\b/,
    message: "passes every secret to the called workflow",
  },
  {
    rule: "unpinned-action",
    severity: "warning",
    pattern:
      /\buses:\s*["']?(?!actions\/|github\/|\.\/|docker:\/\/)[\w.-]+\/[\w./-]+@(?![0-9a-f]{40}\b)/,
    message: "third-party action not pinned to a commit SHA",
  },
  {
    rule: "id-token-write",
    severity: "warning",
    pattern: /\bid-token:\s*write\b/,
    message: "grants the job an OIDC token (cloud credentials)",
  },
  {
    rule: "self-hosted-runner",
    severity: "warning",
    pattern: /\bself-hosted\b/,
    message: "self-hosted runners keep state between jobs",
  },
]
