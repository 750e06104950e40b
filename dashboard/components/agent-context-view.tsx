"use client"
// "What the agent saw": the GitHub context quoted to the agent (each part
// with its source, size and what sanitising and the budget did to it) and
// the exact prompt its model received, with the digest an operator can check.
import type { RunContextAnswer } from "../lib/api-types.ts"
import { useRunResource } from "../lib/use-run-resource.ts"
import { Empty, Failure, Loading } from "./states.tsx"

export function AgentContextView({ runId, version }: { runId: string; version: string }) {
  // `version` changes with the run's state: the context appears once assembled.
  const { data, error, reload } = useRunResource<RunContextAnswer>(
    `/api/runs/${runId}/context`,
    version,
  )
  if (error !== null)
    return (
      <Failure
        title="Could not load what the agent saw"
        message={error}
        onRetry={() => void reload()}
      />
    )
  if (data === null) return <Loading label="Loading what the agent saw…" />
  const { context } = data
  if (context === null) return <Empty title="The agent's context is not assembled yet." />
  return (
    <div className="agent-context" data-testid="agent-context">
      <p className="muted">
        {context.parts.length === 0
          ? "Only the prompt: there was no issue or pull request text to quote."
          : `${context.parts.length} parts quoted as data, ${context.totalChars.toLocaleString("en")} characters.`}{" "}
        Digest <code title="sha256 of the exact prompt">{context.digest.slice(0, 16)}</code>
      </p>
      {context.parts.length === 0 ? null : (
        <table className="context-parts">
          <thead>
            <tr>
              <th scope="col">Part</th>
              <th scope="col">Source</th>
              <th scope="col">Characters</th>
              <th scope="col">Notes</th>
            </tr>
          </thead>
          <tbody>
            {context.parts.map((part, index) => (
              <tr key={`${part.source}-${index}`}>
                <td>
                  <details>
                    <summary>{part.title}</summary>
                    <pre className="context-text">{part.text}</pre>
                  </details>
                </td>
                <td className="mono">{part.source}</td>
                <td>
                  {part.chars.toLocaleString("en")}
                  {part.truncated ? ` of ${part.originalChars.toLocaleString("en")}` : ""}
                </td>
                <td>
                  {[
                    part.truncated ? "cut to budget" : null,
                    part.sanitised ? "hidden text removed" : null,
                  ]
                    .filter((note) => note !== null)
                    .join(", ")}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {context.omitted.length === 0 ? null : (
        <details>
          <summary>Left out by the budget ({context.omitted.length})</summary>
          <ul>
            {context.omitted.map((what) => (
              <li key={what}>{what}</li>
            ))}
          </ul>
        </details>
      )}
      <details>
        <summary>The exact prompt the model was given</summary>
        <pre className="context-text" data-testid="agent-prompt">
          {context.prompt}
        </pre>
      </details>
    </div>
  )
}
