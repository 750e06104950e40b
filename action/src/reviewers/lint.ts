// lint: oxlint with JSON output on the changed JS/TS files, using the repo's
// own oxlint config. Findings on lines the change added count toward the
// score; findings elsewhere in touched files are listed as info (existing
// debt is not the change's fault).
import type { Finding, Severity } from "@patchplane/domain"
import { runCommand } from "../process.ts"
import { clampScore, type Reviewer, shellQuote } from "./types.ts"

const LINTABLE = /\.(m|c)?(j|t)sx?$|\.(vue|svelte|astro)$/

interface OxlintDiagnostic {
  readonly message?: string
  readonly code?: string
  readonly severity?: string
  readonly help?: string
  readonly filename?: string
  readonly labels?: ReadonlyArray<{ readonly span?: { readonly line?: number } }>
}

const severityOf = (oxlint: string | undefined): Severity =>
  oxlint === "error" ? "error" : oxlint === "warning" ? "warning" : "info"

/** The JSON document in oxlint's stdout (it may print other lines around it). */
export const parseOxlintJson = (stdout: string): ReadonlyArray<OxlintDiagnostic> => {
  const start = stdout.indexOf("{")
  const end = stdout.lastIndexOf("}")
  if (start === -1 || end < start) throw new Error("oxlint printed no JSON report")
  const report = JSON.parse(stdout.slice(start, end + 1)) as { diagnostics?: OxlintDiagnostic[] }
  if (!Array.isArray(report.diagnostics)) throw new Error("oxlint's JSON report has no diagnostics")
  return report.diagnostics
}

export const lintReviewer: Reviewer = async (ctx) => {
  const files = ctx.diff.files
    .filter((f) => f.status !== "deleted" && LINTABLE.test(f.path))
    .map((f) => f.path)
  if (files.length === 0)
    return { score: 1, comments: "no JavaScript or TypeScript files changed", findings: [] }
  // Lower CPU priority: oxlint takes every core for a short burst, and the
  // tests beside it are usually the fan-out's critical path.
  const command = `nice -n 10 ${ctx.oxlintCommand} --format=json -- ${files.map(shellQuote).join(" ")}`
  const result = await runCommand(command, { cwd: ctx.cwd, env: ctx.env, signal: ctx.signal })
  if (result.aborted) throw new Error("oxlint was stopped")
  // oxlint exits 1 when it reports errors; anything else is a failure to run.
  if (result.exitCode !== 0 && result.exitCode !== 1)
    throw new Error(
      `oxlint exited with ${result.exitCode ?? result.signal}: ${result.stderr.trim().slice(-500)}`,
    )
  const diagnostics = parseOxlintJson(result.stdout)
  let errors = 0
  let warnings = 0
  const findings: Finding[] = diagnostics.map((d) => {
    const file = d.filename ?? ""
    const line = d.labels?.[0]?.span?.line ?? null
    const onAddedLine =
      line !== null && (ctx.diff.addedLines.get(file) ?? []).some((a) => a.line === line)
    const severity = onAddedLine ? severityOf(d.severity) : "info"
    if (severity === "error") errors++
    if (severity === "warning") warnings++
    return {
      file,
      line,
      severity,
      message: `${d.message ?? "lint finding"}${d.help ? ` (${d.help})` : ""}${onAddedLine ? "" : " [unchanged line]"}`,
      ...(d.code === undefined ? {} : { rule: d.code }),
    }
  })
  return {
    score: clampScore(1 - 0.25 * errors - 0.1 * warnings),
    comments: `oxlint on ${files.length} changed file(s): ${errors} error(s), ${warnings} warning(s) on changed lines, ${findings.length - errors - warnings} elsewhere`,
    findings,
    log: result.stdout,
  }
}
