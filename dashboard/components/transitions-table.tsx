// The run's audit log: every lifecycle step, who made it and why.
import type { TransitionRow } from "../lib/api-types.ts"
import { dateTime } from "../lib/format.ts"
import { STATE_LABEL } from "../lib/run-states.ts"

export function TransitionsTable({ transitions }: { transitions: ReadonlyArray<TransitionRow> }) {
  return (
    <div className="table-scroll">
      <table className="transitions">
        <caption className="visually-hidden">Lifecycle steps</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Step</th>
            <th scope="col">By</th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
          {transitions.map((t) => (
            <tr key={t.id}>
              <td>
                <time dateTime={t.createdAt}>{dateTime(t.createdAt)}</time>
              </td>
              <td>
                {t.fromState === null ? "created" : STATE_LABEL[t.fromState]} →{" "}
                {STATE_LABEL[t.toState]}
              </td>
              <td>{t.actor}</td>
              <td>{t.reason ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
