// What operators do from the dashboard or the control API shows on GitHub at
// once: after a control action the run's status comment and check run are
// rewritten (slash commands update them through intake-publication.ts).
import { Effect } from "effect"
import type { OrchestratorShape } from "../orchestration/orchestrator.ts"

export const withStatusPublishing = (
  orchestrator: OrchestratorShape,
  publishStatus: (runId: string) => Promise<void>,
): OrchestratorShape => {
  const after = <A extends { readonly id: string }, E>(action: Effect.Effect<A, E>) =>
    Effect.tap(action, (run) => Effect.promise(() => publishStatus(run.id)))
  return {
    ...orchestrator,
    cancel: (runId, actor, reason) => after(orchestrator.cancel(runId, actor, reason)),
    interrupt: (runId, actor) => after(orchestrator.interrupt(runId, actor)),
    approve: (runId, actor) => after(orchestrator.approve(runId, actor)),
    reject: (runId, actor, reason) => after(orchestrator.reject(runId, actor, reason)),
    manualReview: (runId, actor, reason) => after(orchestrator.manualReview(runId, actor, reason)),
    retry: (runId, actor) => after(orchestrator.retry(runId, actor)),
  }
}
