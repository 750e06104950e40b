// What the end-to-end tests stand on: a test database, the local world (GitHub
// stand-in, scripted model, OIDC issuer) and PatchPlane configured against it,
// plus polling helpers that say what they were waiting for when time runs out.
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { getRepositoryByFullName, latestRunForIssue, type WorkflowRunRow } from "@patchplane/db"
import { createTestDatabase, type TestDatabase } from "@patchplane/db/testing"
import { type LocalWorld, REPOSITORY, startLocalWorld } from "../../dev/local-world.ts"
import { type Role, type RunningPatchPlane, startPatchPlane } from "../../src/main/start.ts"

export interface Loop {
  readonly db: TestDatabase
  readonly dir: string
  readonly world: LocalWorld
  readonly app: RunningPatchPlane
  readonly url: string
  /** A dashboard page's URL that first signs the browser in as the local operator. */
  signIn(path: string): string
  /** Headers that make an API call the local operator's. */
  readonly operator: Readonly<Record<string, string>>
  /** Polls `probe` until it yields a value; the error names what never came, with the runs' states. */
  until<A>(what: string, probe: () => Promise<A | undefined>, ms?: number): Promise<A>
  /** The newest run on an issue or PR once `ready` accepts it; a run that ends otherwise fails the wait. */
  runOn(
    number: number,
    ready: (run: WorkflowRunRow) => boolean,
    what: string,
  ): Promise<WorkflowRunRow>
  stop(): Promise<void>
}

export const startLoop = async (
  name: string,
  options: {
    readonly roles?: ReadonlyArray<Role>
    readonly orchestration?: Readonly<Record<string, unknown>>
    /** Extra runtime config (runtime.claudeCode, runtime.allowed). */
    readonly runtime?: Readonly<Record<string, unknown>>
    /** Runs on the local Daytona instead of the local sandbox. */
    readonly daytona?: boolean
    /** sandbox.* of the generated config (e.g. smaller limits). */
    readonly sandbox?: Readonly<Record<string, unknown>>
    readonly plan?: "free" | "team"
  } = {},
): Promise<Loop> => {
  const db = await createTestDatabase(name)
  const dir = await mkdtemp(join(tmpdir(), `pp-${name}-`))
  const world = await startLocalWorld({
    dir,
    databaseUrl: db.url,
    logLevel: "silent",
    ...(options.runtime === undefined ? {} : { runtime: options.runtime }),
    ...(options.daytona === undefined ? {} : { daytona: options.daytona }),
    ...(options.plan === undefined ? {} : { plan: options.plan }),
    config: {
      orchestration: { pollingIntervalMs: 20, reviewTimeoutSeconds: 120, ...options.orchestration },
      ...(options.sandbox === undefined ? {} : { sandbox: options.sandbox }),
    },
  })
  const app = await startPatchPlane({
    cwd: dir,
    env: { DATABASE_URL: db.url },
    ...(options.roles === undefined ? {} : { roles: [...options.roles] }),
  })
  const url = app.url ?? ""
  await world.connect(url)

  const until = async <A>(what: string, probe: () => Promise<A | undefined>, ms = 90_000) => {
    const deadline = Date.now() + ms
    for (;;) {
      const value = await probe()
      if (value !== undefined) return value
      if (Date.now() > deadline) {
        const runs = await db.pool.query("SELECT state, reason FROM workflow_runs")
        throw new Error(`timed out waiting for ${what}; runs: ${JSON.stringify(runs.rows)}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  const runOn: Loop["runOn"] = async (number, ready, what) => {
    const repo = await getRepositoryByFullName(db.db, REPOSITORY)
    return until(what, async () => {
      const run = repo && (await latestRunForIssue(db.db, repo.id, number))?.run
      if (run === undefined) return undefined
      if (ready(run)) return run
      if (["failed", "timed_out", "cancelled"].includes(run.state))
        throw new Error(`the run ended ${run.state}: ${run.reason}`)
      return undefined
    })
  }

  return {
    db,
    dir,
    world,
    app,
    url,
    signIn: (path) =>
      `${url}${path}${path.includes("?") ? "&" : "?"}token=${encodeURIComponent(app.localOperator?.token ?? "")}`,
    operator: { authorization: `Bearer ${app.localOperator?.token ?? ""}` },
    until,
    runOn,
    stop: async () => {
      await app.stop()
      try {
        // Throws when the stand-in saw a departure from GitHub's description.
        await world.close()
      } finally {
        await db.drop()
        await rm(dir, { recursive: true, force: true })
      }
    },
  }
}
