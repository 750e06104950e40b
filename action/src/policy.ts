// The repository's review policy, read from the merge base rather than the
// pull request: the change under review must not be able to weaken its own
// review. The control plane decides with the run's recorded policy anyway;
// this copy scores the job summary and the job's own pass/fail.
import { Effect, Result } from "effect"
import { decodeRepoPolicy } from "@patchplane/policy"
import { decodeSyncWith, PolicySpec } from "@patchplane/domain"
import type { DiffInfo } from "./git.ts"

export const defaultPolicy = (): PolicySpec => decodeSyncWith(PolicySpec, "default policy")({})

export interface LoadedPolicy {
  readonly policy: PolicySpec
  /** e.g. "main@1a2b3c4:.github/patchplane.yml", or "defaults". */
  readonly source: string
}

export const loadPolicy = async (diff: DiffInfo, path: string): Promise<LoadedPolicy> => {
  const text = await diff.readAt("base", path)
  if (text === null) return { policy: defaultPolicy(), source: "defaults" }
  const source = `${diff.baseRef}@${diff.baseSha.slice(0, 7)}:${path}`
  const result = Effect.runSync(Effect.result(decodeRepoPolicy(text, defaultPolicy(), source)))
  if (Result.isFailure(result)) throw new Error(result.failure.message)
  return { policy: result.success, source }
}
