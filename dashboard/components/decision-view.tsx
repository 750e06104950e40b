// The MergeDecision: the state, the weighted score, and each criterion with
// its outcome, so the decision explains itself.
import type { DecisionRow, WorkflowRunState } from "../lib/api-types.ts"
import { endedBefore } from "../lib/run-states.ts"
import { dateTime, percent } from "../lib/format.ts"
import { Empty } from "./states.tsx"

export function DecisionView({
  decision,
  pullRequestUrl,
  runState,
}: {
  decision: DecisionRow | null
  pullRequestUrl: string | null
  runState: WorkflowRunState
}) {
  if (decision === null)
    return <Empty title={endedBefore(runState, "a decision") ?? "No decision yet."} />
  return (
    <div className="decision" data-testid="decision">
      <p>
        <span className={`decision-state decision-${decision.state}`}>{decision.state}</span> ·
        weighted score <strong>{percent(decision.weightedScore)}</strong> · decided by{" "}
        {decision.decidedBy} on{" "}
        <time dateTime={decision.createdAt}>{dateTime(decision.createdAt)}</time>
        {pullRequestUrl === null ? null : (
          <>
            {" "}
            · <a href={pullRequestUrl}>pull request</a>
          </>
        )}
      </p>
      {decision.criteria.length === 0 ? null : (
        <table className="criteria">
          <caption className="visually-hidden">Decision criteria</caption>
          <thead>
            <tr>
              <th scope="col">Criterion</th>
              <th scope="col">Result</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {decision.criteria.map((c) => (
              <tr key={c.criterion}>
                <td>{c.criterion}</td>
                <td>{c.passed ? "✓ passed" : "✗ failed"}</td>
                <td>{c.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  )
}
