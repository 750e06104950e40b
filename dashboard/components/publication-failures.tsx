// GitHub writes for this run that gave up: what GitHub is not showing (a
// stale status comment, a missing check run), said on the run page instead of
// only in a server log.
import type { PublicationFailureRow } from "../lib/api-types.ts"
import { dateTime } from "../lib/format.ts"

export function PublicationFailures({
  failures,
}: {
  failures: ReadonlyArray<PublicationFailureRow> | undefined
}) {
  if (failures === undefined || failures.length === 0) return null
  return (
    <div role="alert" className="policy-issues" data-testid="publication-failures">
      <p>
        <strong>GitHub is not showing everything for this run:</strong>
      </p>
      <ul>
        {failures.map((f) => (
          <li key={f.id}>
            {f.step} failed after {f.attempts} {f.attempts === 1 ? "try" : "tries"} at{" "}
            {dateTime(f.createdAt)}: {f.message}
          </li>
        ))}
      </ul>
    </div>
  )
}
