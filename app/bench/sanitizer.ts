// Scenario: the prompt sanitiser on GitHub's longest comment (65,536
// characters) of the inputs that froze the old regular expressions
// (`<a hidden ` repeated: 153 s on 40,000 characters), of ordinary prose, and
// of closed hidden elements. Linear work: target < 1 s each (median).
import { sanitizeForAgent } from "../src/intake/sanitize.ts"
import type { BenchRow } from "./report.ts"

const MAX = 65_536
const fill = (unit: string) => unit.repeat(Math.ceil(MAX / unit.length)).slice(0, MAX)

const inputs: ReadonlyArray<readonly [string, string]> = [
  ["<a hidden > 64 KiB", fill("<a hidden ")],
  ["<a hidden>…</a> 64 KiB", fill("<a hidden>x</a>")],
  ["prose 64 KiB", fill("Fix the **date** test in `utils.ts`, see [docs](https://x.y).\n")],
]

const median = (values: ReadonlyArray<number>) =>
  values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0

export const sanitizer = async (options: { iterations: number }): Promise<BenchRow[]> =>
  inputs.map(([metric, text]) => {
    const times: number[] = []
    for (let i = 0; i < options.iterations; i++) {
      const started = performance.now()
      sanitizeForAgent(text)
      times.push(performance.now() - started)
    }
    return {
      name: "sanitizer",
      metric,
      value: median(times),
      unit: "ms",
      target: "< 1000",
      baseline: null,
      ratio: null,
    }
  })
