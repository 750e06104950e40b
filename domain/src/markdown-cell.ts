// Text inside a Markdown table cell, as GitHub renders the PR body, the check
// run's summary and the Action's job summary: a pipe would end the cell and a
// line break the row.
export const markdownCell = (value: unknown): string =>
  String(value ?? "")
    .replace(/\|/g, "\\|")
    .replace(/\r?\n/g, " ")
