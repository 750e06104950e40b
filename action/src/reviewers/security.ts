// security: secrets in the lines the change adds, dependency changes (each
// new, changed or removed package listed; high risk, escalated by policy) and
// risky patterns in workflow files.
import {
  DEPENDENCY_CHANGE_RULE,
  type DependencyChange,
  dependencyChanges,
  dependencyFileKind,
  type Finding,
} from "@patchplane/domain"
import type { DiffInfo } from "../git.ts"
import { findSecrets } from "./secret-patterns.ts"
import { clampScore, type Reviewer, type ReviewerContext } from "./types.ts"
import { isWorkflowFile, workflowRisks } from "./workflow-risks.ts"

const secretFindings = (diff: DiffInfo): Finding[] =>
  [...diff.addedLines].flatMap(([file, lines]) =>
    lines.flatMap(({ line, text }) =>
      findSecrets(text).map((s) => ({
        file,
        line,
        severity: "critical" as const,
        message: `${s.name} committed (${s.redacted}); remove it and rotate the credential`,
        rule: "patchplane/secret",
      })),
    ),
  )

const describeChange = (c: DependencyChange) =>
  c.name === "*"
    ? `${c.manifest} changed`
    : c.from === null
      ? `new dependency ${c.name} ${c.to ?? ""}`.trim()
      : c.to === null
        ? `removed dependency ${c.name}`
        : `dependency ${c.name} ${c.from} → ${c.to}`

const dependencyFindings = async (ctx: ReviewerContext): Promise<Finding[]> => {
  const files = ctx.diff.files.filter((f) => dependencyFileKind(f.path) !== null)
  const allowed = ctx.policy.dependencyChanges === "allow"
  const findings: Finding[] = []
  for (const file of files) {
    const [before, after] = await Promise.all([
      ctx.diff.readAt("base", file.previousPath ?? file.path),
      file.status === "deleted" ? Promise.resolve(null) : ctx.diff.readAt("head", file.path),
    ])
    const added = ctx.diff.addedLines.get(file.path) ?? []
    for (const change of dependencyChanges(file.path, before, after)) {
      const line = added.find((a) => change.name !== "*" && a.text.includes(change.name))?.line
      findings.push({
        file: file.path,
        line: line ?? null,
        severity: allowed ? "info" : "warning",
        message: `${describeChange(change)} (high risk${allowed ? ", allowed by policy" : ": needs manual review"})`,
        rule: DEPENDENCY_CHANGE_RULE,
      })
    }
  }
  return findings
}

const workflowFindings = (diff: DiffInfo): Finding[] =>
  diff.files
    .filter((f) => isWorkflowFile(f.path))
    .flatMap((f) => [
      {
        file: f.path,
        line: null,
        severity: "warning" as const,
        message: `workflow file ${f.status}: CI changes need a human's review`,
        rule: "patchplane/workflow-changed",
      },
      ...(diff.addedLines.get(f.path) ?? []).flatMap(({ line, text }) =>
        workflowRisks
          .filter((risk) => risk.pattern.test(text))
          .map((risk) => ({
            file: f.path,
            line,
            severity: risk.severity,
            message: risk.message,
            rule: `patchplane/${risk.rule}`,
          })),
      ),
    ])

export const securityReviewer: Reviewer = async (ctx) => {
  const secrets = secretFindings(ctx.diff)
  const dependencies = await dependencyFindings(ctx)
  const workflows = workflowFindings(ctx.diff)
  const count = (severity: Finding["severity"]) =>
    workflows.filter((f) => f.severity === severity).length
  // Dependency changes do not lower the score: the policy escalates them.
  const score =
    secrets.length > 0 ? 0 : clampScore(1 - 0.3 * count("error") - 0.1 * count("warning"))
  return {
    score,
    comments: [
      `${secrets.length} secret(s)`,
      `${dependencies.length} dependency change(s)`,
      `${workflows.length} workflow finding(s)`,
    ].join(", "),
    findings: [...secrets, ...dependencies, ...workflows],
  }
}
