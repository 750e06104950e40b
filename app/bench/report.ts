// One row per measured figure: printed as a table, one JSON line each, and
// written to bench/results/latest.json at the repository root.
import { mkdir, rename, writeFile } from "node:fs/promises"
import { cpus, loadavg } from "node:os"
import { join } from "node:path"

export interface BenchRow {
  readonly name: string
  readonly metric: string
  readonly value: number
  readonly unit: string
  /**
   * "< 200", ">= 0.67", "<= 1.5"…: the bound on `ratio` when the row has a
   * baseline, else on `value`; null when the figure is informational.
   */
  readonly target: string | null
  /** The same metric for the baseline measured in the same run, if any. */
  readonly baseline: number | null
  /** value / baseline, if there is a baseline. */
  readonly ratio: number | null
}

export const RESULTS_DIR = join(import.meta.dirname, "../../bench/results")

const round = (n: number | null) =>
  n === null ? "" : Number(n.toFixed(n >= 100 ? 0 : n >= 10 ? 1 : 2)).toLocaleString("en")

const parseTarget = (target: string) => {
  const match = /^(<=|>=|<|>)\s*(-?[\d.]+)$/.exec(target.trim())
  if (match === null) throw new Error(`unreadable target "${target}"`)
  return { op: match[1] ?? "<", bound: Number(match[2]) }
}

export const meetsTarget = (row: BenchRow): boolean | null => {
  if (row.target === null) return null
  const { op, bound } = parseTarget(row.target)
  const subject = row.ratio ?? row.value
  switch (op) {
    case "<":
      return subject < bound
    case "<=":
      return subject <= bound
    case ">":
      return subject > bound
    default:
      return subject >= bound
  }
}

const showTarget = (row: BenchRow) => {
  if (row.target === null) return ""
  const { op, bound } = parseTarget(row.target)
  const sign = op.replace("<=", "≤").replace(">=", "≥")
  return row.ratio === null ? `${sign} ${bound} ${row.unit}` : `${sign} ${bound} × baseline`
}

/** The JSON line of a row: exactly these fields, in this order. */
const jsonRow = (r: BenchRow): BenchRow => ({
  name: r.name,
  metric: r.metric,
  value: r.value,
  unit: r.unit,
  target: r.target,
  baseline: r.baseline,
  ratio: r.ratio,
})

const load = (averages: ReadonlyArray<number>) => (averages[0] ?? 0).toFixed(1)

export const report = async (
  rows: ReadonlyArray<BenchRow>,
  meta: {
    quick: boolean
    seconds: number
    failed: ReadonlyArray<string>
    loadavgAtStart: ReadonlyArray<number>
  },
) => {
  const header = ["scenario", "metric", "value", "unit", "baseline", "ratio", "target", "met"]
  const table = rows.map((r) => {
    const ok = meetsTarget(r)
    return [
      r.name,
      r.metric,
      round(r.value),
      r.unit,
      round(r.baseline),
      r.ratio === null ? "" : `${r.ratio.toFixed(2)} ×`,
      showTarget(r),
      ok === null ? "" : ok ? "yes" : "NO",
    ]
  })
  const widths = header.map((h, i) =>
    Math.max(h.length, ...table.map((row) => row[i]?.length ?? 0)),
  )
  const numeric = new Set([2, 4, 5])
  const line = (cells: ReadonlyArray<string>) =>
    cells
      .map((c, i) => (numeric.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd()
  console.log("")
  console.log(line(header))
  console.log(widths.map((w) => "-".repeat(w)).join("  "))
  for (const row of table) console.log(line(row))
  console.log("")
  for (const row of rows) console.log(JSON.stringify(jsonRow(row)))
  await mkdir(RESULTS_DIR, { recursive: true })
  const file = join(RESULTS_DIR, "latest.json")
  const document = {
    at: new Date().toISOString(),
    mode: meta.quick ? "quick" : "full",
    seconds: Math.round(meta.seconds),
    machine: {
      cpus: cpus().length,
      node: process.version,
      loadavgAtStart: meta.loadavgAtStart,
      loadavgAtEnd: loadavg(),
    },
    failed: meta.failed,
    rows: rows.map(jsonRow),
  }
  await writeFile(`${file}.tmp`, `${JSON.stringify(document, null, 2)}\n`)
  await rename(`${file}.tmp`, file)
  console.log(
    `\n${meta.quick ? "quick" : "full"} run, ${Math.round(meta.seconds)} s on ${cpus().length} cores ` +
      `(load average ${load(meta.loadavgAtStart)} at start, ${load(loadavg())} at end); written to ${file}`,
  )
}
