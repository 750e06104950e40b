// Which round a review report is for. The Action names the run whose branch
// (`patchplane/<run-id>`) it reviewed, but follow-up rounds (answering a
// review, repairing CI) push to that same branch: the head the report is
// about belongs to the newest round whose PatchSet pushed it. The token's
// claims are still checked against the branch's own run.
import { type Executor, findRunPatchSet, roundsAround } from "@patchplane/db"

/**
 * The run in `branchRunId`'s chain whose newest PatchSet is `headSha`, newest
 * round first; `branchRunId` itself when none is (its checks then say why).
 */
export const roundOwningHead = async (
  db: Executor,
  branchRunId: string,
  headSha: string,
): Promise<string> => {
  const chain = await roundsAround(db, branchRunId)
  for (const id of chain.toReversed()) {
    const patchSet = await findRunPatchSet(db, id)
    if (patchSet?.headSha === headSha) return id
  }
  return branchRunId
}
