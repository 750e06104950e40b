// One row per measured figure: printed as a table, one JSON line each, and
// written to app/bench/results/latest.json.
import { mkdir, writeFile } from "node:fs/promises"
import { join } from "node:path"

export interface BenchRow {
  readonly name: string
  readonly metric: string
  readonly value: number
  readonly unit: string
  /** e.g. ">= 0.67" or "<= 1.5"; null when the figure is informational. */
  readonly target: string | null
  /** The same metric for the baseline run side by side, if any. */
  readonly baseline: number | null
  readonly ratio: number | null
}

const round = (n: number | null) =>
  n === null ? "" : Number(n.toFixed(n >= 100 ? 0 : 2)).toString()

export const meetsTarget = (row: BenchRow): boolean | null => {
  if (row.target === null) return null
  const [op, raw] = row.target.split(" ")
  const subject = row.ratio ?? row.value
  const bound = Number(raw)
  return op === ">=" ? subject >= bound : subject <= bound
}

export const report = async (rows: ReadonlyArray<BenchRow>) => {
  const header = ["scenario", "metric", "value", "unit", "baseline", "ratio", "target", "ok"]
  const table = rows.map((r) => {
    const ok = meetsTarget(r)
    return [
      r.name,
      r.metric,
      round(r.value),
      r.unit,
      round(r.baseline),
      round(r.ratio),
      r.target ?? "",
      ok === null ? "" : ok ? "yes" : "NO",
    ]
  })
  const widths = header.map((h, i) =>
    Math.max(h.length, ...table.map((row) => row[i]?.length ?? 0)),
  )
  const line = (cells: ReadonlyArray<string>) =>
    cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ")
  console.log(line(header))
  console.log(widths.map((w) => "-".repeat(w)).join("  "))
  for (const row of table) console.log(line(row))
  console.log("")
  for (const row of rows) console.log(JSON.stringify(row))
  const dir = join(import.meta.dirname, "results")
  await mkdir(dir, { recursive: true })
  await writeFile(
    join(dir, "latest.json"),
    `${JSON.stringify({ at: new Date().toISOString(), rows }, null, 2)}\n`,
  )
}
