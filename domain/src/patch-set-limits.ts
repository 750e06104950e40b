// A PatchSet measured against the policy's limits (PolicySpec.patchSetLimits):
// what must be refused before the push, and what a human must look at. Pure,
// so the push step and the PolicyEvaluator apply the very same rule.
import type { FileChange } from "./patch-set.ts"
import type { PolicySpec } from "./policy-bundle.ts"

export interface LimitFindings {
  /** Reasons the PatchSet may not be pushed at all. */
  readonly refuse: ReadonlyArray<string>
  /** Reasons it needs manual review. */
  readonly review: ReadonlyArray<string>
}

const units = ["B", "KiB", "MiB", "GiB", "TiB"]

/** 2147483648 → "2.0 GiB". */
export const formatBytes = (bytes: number): string => {
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit += 1
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`
}

export const patchSetLimitFindings = (
  limits: PolicySpec["patchSetLimits"],
  files: ReadonlyArray<FileChange>,
): LimitFindings => {
  const refuse: Array<string> = []
  const review: Array<string> = []
  const oversized = limits.oversized === "refuse" ? refuse : review
  const present = files.filter((file) => file.status !== "deleted")
  for (const file of present)
    if ((file.bytes ?? 0) > limits.maxFileBytes)
      oversized.push(
        `${file.path} is ${formatBytes(file.bytes ?? 0)}, over the largest-file limit of ${formatBytes(limits.maxFileBytes)}`,
      )
  const total = present.reduce((sum, file) => sum + (file.bytes ?? 0), 0)
  if (total > limits.maxTotalBytes)
    oversized.push(
      `the changed files total ${formatBytes(total)}, over the limit of ${formatBytes(limits.maxTotalBytes)}`,
    )
  const binaries = present.filter((file) => file.binary === true).map((file) => file.path)
  if (binaries.length > 0 && limits.binaryFiles !== "allow")
    (limits.binaryFiles === "refuse" ? refuse : review).push(
      `binary file${binaries.length === 1 ? "" : "s"}: ${binaries.slice(0, 5).join(", ")}${binaries.length > 5 ? ` and ${binaries.length - 5} more` : ""}`,
    )
  return { refuse, review }
}
