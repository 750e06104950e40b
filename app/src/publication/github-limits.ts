// Fits what PatchPlane writes into GitHub's size limits. GitHub refuses (422)
// an issue comment or pull request body over 65,536 characters and a check
// run's output.summary or output.text over 65,535 (its REST description); a
// long finding list or diff summary would otherwise fail the write. The text
// is cut at a line, an open code fence is closed, and the end says where the
// full text is: the run's page on the dashboard. A closing PatchPlane marker
// comment stays at the very end.

/** Issue comments, pull request and issue bodies. */
export const MAX_BODY_CHARS = 65_536
/** Check run output.summary and output.text. */
export const MAX_CHECK_OUTPUT_CHARS = 65_535

const footer = (dashboardUrl: string) =>
  `\n\n---\n_Shortened to fit GitHub's limit. The full text is on the dashboard: ${dashboardUrl}_\n`

/** `text` unchanged when it fits `limit` characters, else cut with a link to the full text. */
export const fitForGitHub = (text: string, dashboardUrl: string, limit: number): string => {
  if (text.length <= limit) return text
  // PatchPlane finds its own comments and PRs again by a closing marker: keep it.
  const marker = /\n(<!-- patchplane:[^\n]*-->)\s*$/.exec(text)?.[1]
  const tail = `${footer(dashboardUrl)}${marker === undefined ? "" : `\n${marker}`}`
  // Room for the footer and a closing fence.
  let kept = text.slice(0, Math.max(limit - tail.length - 5, 0))
  const lastLine = kept.lastIndexOf("\n")
  if (lastLine > kept.length / 2) kept = kept.slice(0, lastLine)
  // An odd number of fences means the cut is inside a code block: close it.
  const fences = kept.match(/^\s*(```|~~~)/gm)?.length ?? 0
  if (fences % 2 === 1) kept += "\n```"
  return `${kept}${tail}`.slice(0, limit)
}

export const fitBody = (text: string, dashboardUrl: string): string =>
  fitForGitHub(text, dashboardUrl, MAX_BODY_CHARS)

export const fitCheckOutput = (text: string, dashboardUrl: string): string =>
  fitForGitHub(text, dashboardUrl, MAX_CHECK_OUTPUT_CHARS)
