// How the reviewers judged the patch set: one card per reviewer with its
// verdict and score, and its findings, each linked to its line in the diff.
import type { Finding, ReviewRow, WorkflowRunState } from "../lib/api-types.ts"
import { endedBefore } from "../lib/run-states.ts"
import { percent } from "../lib/format.ts"
import { Empty } from "./states.tsx"

export function ReviewResults({
  reviews,
  onFinding,
  runState,
}: {
  reviews: ReadonlyArray<ReviewRow>
  onFinding: (finding: Finding) => void
  runState: WorkflowRunState
}) {
  const ended = endedBefore(runState, "any review")
  if (reviews.length === 0 && ended !== null) return <Empty title={ended} />
  if (reviews.length === 0)
    return (
      <Empty title="No review results yet.">
        The target repository&apos;s CI reports them through the companion Action.
      </Empty>
    )
  return (
    <ul className="reviews" aria-label="Reviewers">
      {reviews.map((review) => (
        <li key={review.id} className={`review review-${review.passed ? "passed" : "failed"}`}>
          <div className="review-head">
            <h3>{review.reviewer}</h3>
            <span className={`verdict verdict-${review.passed ? "passed" : "failed"}`}>
              {review.passed ? "Passed" : "Failed"}
            </span>
            <span className="score" aria-label={`score ${percent(review.score)}`}>
              <span
                className="score-bar"
                style={{ width: percent(review.score) }}
                aria-hidden="true"
              />
              <span className="score-text">{percent(review.score)}</span>
            </span>
          </div>
          {review.comments === "" ? null : <p className="review-comments">{review.comments}</p>}
          {review.findings.length === 0 ? null : (
            <ul className="findings">
              {review.findings.map((finding, index) => (
                <li key={index} className={`finding finding-${finding.severity}`}>
                  <span className="severity">{finding.severity}</span>{" "}
                  <button
                    type="button"
                    className="link-button mono"
                    onClick={() => onFinding(finding)}
                  >
                    {finding.file}
                    {finding.line === null ? "" : `:${finding.line}`}
                  </button>{" "}
                  {finding.message}
                  {finding.rule ? <span className="muted"> ({finding.rule})</span> : null}
                </li>
              ))}
            </ul>
          )}
        </li>
      ))}
    </ul>
  )
}
