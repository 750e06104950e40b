// PatchPlane running in this process (web + worker) on a fresh database, with
// scripted steps in place of sandbox and agent.
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import {
  getWorkflowRun,
  insertPromptRequest,
  upsertInstallation,
  upsertRepository,
  type WorkflowRunRow,
} from "@patchplane/db"
import { createTestDatabase, type TestDatabase } from "@patchplane/db/testing"
import { Effect } from "effect"
import type { RunSteps } from "../../src/orchestration/run-steps.ts"
import { startPatchPlane, type RunningPatchPlane } from "../../src/main/start.ts"

export const fastOrchestration = {
  pollingIntervalMs: 20,
  heartbeatMs: 250,
  leaseMs: 3_000,
  reviewTimeoutSeconds: 30,
}

export const writeConfig = async (dir: string, extra: Record<string, unknown> = {}) =>
  writeFile(
    join(dir, "patchplane.config.json"),
    JSON.stringify({
      server: { port: 0, logLevel: "silent" },
      ...extra,
      orchestration: { ...fastOrchestration, ...(extra.orchestration as object | undefined) },
    }),
  )

export interface OrchestrationHarness {
  readonly app: RunningPatchPlane
  readonly db: TestDatabase
  readonly dir: string
  seedRequest(input?: { targetRef?: string; issueNumber?: number; repo?: string }): Promise<{
    repositoryId: string
    promptRequestId: string
  }>
  enqueue(input?: {
    targetRef?: string
    issueNumber?: number
    repo?: string
  }): Promise<WorkflowRunRow>
  waitForState(
    runId: string,
    states: ReadonlyArray<string>,
    timeoutMs?: number,
  ): Promise<WorkflowRunRow>
  stop(): Promise<void>
}

let nextRepo = 1
export const seed = async (
  db: TestDatabase["db"],
  input: { targetRef?: string; issueNumber?: number; repo?: string } = {},
) => {
  nextRepo += 1
  const installation = await upsertInstallation(db, {
    installationId: 500,
    accountLogin: "acme",
    accountId: 1,
    accountType: "Organization",
  })
  const fullName = input.repo ?? `acme/repo-${nextRepo}`
  const repository = await upsertRepository(db, {
    githubInstallationId: installation.id,
    githubRepoId: Math.abs([...fullName].reduce((h, c) => (h * 31 + c.charCodeAt(0)) | 0, 7)),
    fullName,
  })
  const request = await insertPromptRequest(db, {
    repositoryId: repository.id,
    prompt: "fix the build",
    sourceChannel: "app",
    targetRef: input.targetRef ?? "main",
    initiator: { kind: "github", login: "octocat", id: 1 },
    initiatorLogin: "octocat",
    issueNumber: input.issueNumber ?? null,
  })
  return { repositoryId: repository.id, promptRequestId: request.id }
}

export const waitForState = async (
  db: TestDatabase["db"],
  runId: string,
  states: ReadonlyArray<string>,
  timeoutMs = 15_000,
): Promise<WorkflowRunRow> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const run = await getWorkflowRun(db, runId)
    if (run && states.includes(run.state)) return run
    if (Date.now() > deadline)
      throw new Error(`run ${runId} is ${run?.state}, expected one of ${states.join(", ")}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

export const startOrchestrationHarness = async (
  steps: RunSteps | ((db: TestDatabase["db"], database: TestDatabase) => RunSteps),
  configExtra: Record<string, unknown> = {},
  existing?: TestDatabase,
): Promise<OrchestrationHarness> => {
  const db = existing ?? (await createTestDatabase("orch"))
  const dir = await mkdtemp(join(tmpdir(), "pp-orch-"))
  await writeConfig(dir, configExtra)
  const app = await startPatchPlane({
    cwd: dir,
    env: { DATABASE_URL: db.url },
    steps: typeof steps === "function" ? steps(db.db, db) : steps,
  })
  return {
    app,
    db,
    dir,
    seedRequest: (input) => seed(db.db, input),
    enqueue: async (input) => {
      const { repositoryId, promptRequestId } = await seed(db.db, input)
      return Effect.runPromise(
        app.orchestrator.enqueue({ promptRequestId, repositoryId, actor: "octocat" }),
      )
    },
    waitForState: (runId, states, timeoutMs) => waitForState(db.db, runId, states, timeoutMs),
    stop: async () => {
      await app.stop()
      await db.drop()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
