// The live runs of one issue or pull request: requested in its conversation,
// or (for a PR) the run that opened it. Closing the conversation stops them.
import { sql } from "drizzle-orm"
import type { Executor } from "../client.ts"

export const liveRunsOfConversation = async (
  db: Executor,
  repositoryId: string,
  number: number,
): Promise<string[]> => {
  const result = await db.execute<{ id: string }>(sql`
    SELECT r.id FROM workflow_runs r
    WHERE r.state NOT IN ('decided', 'cancelled', 'failed', 'timed_out')
      AND (
        r.prompt_request_id IN (
          SELECT prompt_request_id FROM issue_bindings
          WHERE repository_id = ${repositoryId} AND issue_number = ${number}
        )
        OR r.id IN (
          SELECT workflow_run_id FROM pull_request_bindings
          WHERE repository_id = ${repositoryId} AND pull_request_number = ${number}
        )
      )
    ORDER BY r.created_at
  `)
  return result.rows.map((row) => String(row.id))
}
