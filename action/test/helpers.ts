// A ReviewerContext over a fixture repository, as run.ts builds it.
import { join } from "node:path"
import { decodeSyncWith, PolicySpec } from "@patchplane/domain"
import { collectDiff } from "../src/git.ts"
import { reviewerEnv } from "../src/process.ts"
import type { ReviewerContext } from "../src/reviewers/types.ts"
import { createFixtureRepo, type Files, type FixtureRepo } from "./fixture-repo.ts"

export const RUN_ID = "8f7c2a10-0000-4000-8000-000000000001"
export const OXLINT = join(import.meta.dirname, "../../node_modules/.bin/oxlint")

export const policyOf = (spec: Record<string, unknown> = {}) =>
  decodeSyncWith(PolicySpec, "policy")(spec)

export interface Reviewable {
  readonly repo: FixtureRepo
  readonly context: (over?: Partial<ReviewerContext>) => ReviewerContext
}

export const reviewable = async (
  options: { base?: Files; change?: Files; policy?: Record<string, unknown> } = {},
): Promise<Reviewable> => {
  const repo = await createFixtureRepo(RUN_ID, options)
  const env = reviewerEnv(process.env)
  const diff = await collectDiff(repo.dir, env, { baseRef: "main" })
  return {
    repo,
    context: (over = {}) => ({
      cwd: repo.dir,
      env,
      diff,
      policy: policyOf(options.policy),
      signal: new AbortController().signal,
      oxlintCommand: OXLINT,
      testCommand: "node --test",
      ...over,
    }),
  }
}
