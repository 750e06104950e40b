// Small display helpers shared by the pages.
export const shortId = (id: string): string => id.slice(0, 8)

const units: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
  ["second", 1_000],
]
const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto" })

/** "3 minutes ago"; a moment in the future (clock skew) reads "now". */
export const timeAgo = (iso: string, now: number = Date.now()): string => {
  const delta = Math.min(0, new Date(iso).getTime() - Math.max(now, Date.now()))
  for (const [unit, ms] of units)
    if (Math.abs(delta) >= ms || unit === "second")
      return relative.format(Math.round(delta / ms), unit)
  return iso
}

export const dateTime = (iso: string): string =>
  new Date(iso).toLocaleString("en", { dateStyle: "medium", timeStyle: "medium" })

export const percent = (value: number): string => `${Math.round(value * 100)}%`

export const plural = (count: number, word: string): string =>
  `${count} ${word}${count === 1 ? "" : "s"}`

/** Dollars as people read a bill: cents, or tenths of a cent under one cent. */
export const usd = (value: number): string =>
  value > 0 && value < 0.01 ? `$${value.toFixed(4)}` : `$${value.toFixed(2)}`

/** Token counts compactly: 950, 12.3k, 1.20M. */
export const tokenCount = (value: number): string =>
  value < 1000
    ? String(Math.round(value))
    : value < 1_000_000
      ? `${(value / 1000).toFixed(1)}k`
      : `${(value / 1_000_000).toFixed(2)}M`

/** A span of time as a person says it: 0.9 s, 42 s, 3 m 05 s, 2 h 10 m. */
export const duration = (ms: number): string => {
  if (ms < 10_000) return `${(Math.max(0, ms) / 1000).toFixed(1)} s`
  const seconds = Math.round(ms / 1000)
  if (seconds < 60) return `${seconds} s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes} m ${String(seconds % 60).padStart(2, "0")} s`
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} m`
}
