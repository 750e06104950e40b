/** The single row an INSERT/UPDATE … RETURNING produced; its absence is a bug, not a case. */
export const one = <T>(rows: ReadonlyArray<T>, what: string): T => {
  const [row] = rows
  if (row === undefined) throw new Error(`${what}: the statement returned no row`)
  return row
}
