// A connected repository with one run in `reviewing` and its PatchSet, as
// the orchestration leaves them when the companion Action reports.
import { randomInt } from "node:crypto"
import {
  attachPolicyBundle,
  type Executor,
  insertPatchSet,
  insertPromptRequest,
  insertWorkflowRun,
  transitionWorkflowRun,
  upsertInstallation,
  upsertRepository,
} from "@patchplane/db"
import type { DependencyChange } from "@patchplane/domain"

export interface SeededRun {
  readonly runId: string
  readonly patchSetId: string
  readonly repositoryId: string
  readonly installationRowId: string
  readonly fullName: string
  readonly githubRepoId: number
  readonly accountId: number
}

export interface SeedOptions {
  readonly fullName?: string
  readonly headSha?: string | null
  readonly files?: ReadonlyArray<{ path: string; additions?: number }>
  readonly dependencyChanges?: ReadonlyArray<DependencyChange>
  readonly policySpec?: Record<string, unknown>
  /** Leave out the PatchSet (a run the agent has not finished). */
  readonly withoutPatchSet?: boolean
  readonly pullRequestNumber?: number
}

const path = ["provisioning", "running", "collecting", "reviewing"] as const

export const seedRun = async (db: Executor, options: SeedOptions = {}): Promise<SeededRun> => {
  const accountId = randomInt(1, 2 ** 40)
  const githubRepoId = randomInt(1, 2 ** 40)
  const fullName = options.fullName ?? `octo-${accountId}/demo`
  const installation = await upsertInstallation(db, {
    installationId: randomInt(1, 2 ** 40),
    accountLogin: fullName.split("/")[0] ?? "octo",
    accountId,
    accountType: "Organization",
  })
  const repository = await upsertRepository(db, {
    githubInstallationId: installation.id,
    githubRepoId,
    fullName,
  })
  const request = await insertPromptRequest(db, {
    repositoryId: repository.id,
    prompt: "add a subtract function",
    sourceChannel: "issue_comment",
    targetRef: "main",
    initiator: { kind: "github", login: "octocat", id: 1 },
    initiatorLogin: "octocat",
    issueNumber: 7,
  })
  const run = await insertWorkflowRun(db, {
    promptRequestId: request.id,
    repositoryId: repository.id,
    pullRequestNumber: options.pullRequestNumber ?? 42,
  })
  let from: (typeof path)[number] | "queued" = "queued"
  for (const to of path) {
    await transitionWorkflowRun(db, { id: run.id, from, to })
    from = to
  }
  if (options.policySpec !== undefined)
    await attachPolicyBundle(db, run.id, {
      name: "test",
      digest: `sha256:${run.id}`,
      spec: options.policySpec,
      source: "test",
    })
  const files = (options.files ?? [{ path: "src/math.js", additions: 2 }]).map((f) => ({
    path: f.path,
    status: "modified" as const,
    additions: f.additions ?? 1,
    deletions: 0,
  }))
  const patchSet = options.withoutPatchSet
    ? null
    : await insertPatchSet(db, {
        workflowRunId: run.id,
        branch: `patchplane/${run.id}`,
        baseSha: "a".repeat(40),
        headSha: options.headSha === undefined ? "b".repeat(40) : options.headSha,
        files,
        diffSummary: { filesChanged: files.length, additions: 2, deletions: 0 },
        dependencyChanges: [...(options.dependencyChanges ?? [])],
      })
  return {
    runId: run.id,
    patchSetId: patchSet?.id ?? "",
    repositoryId: repository.id,
    installationRowId: installation.id,
    fullName,
    githubRepoId,
    accountId,
  }
}
