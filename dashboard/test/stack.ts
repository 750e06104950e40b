// PatchPlane for the dashboard tests: in this process, over real HTTP, on a
// fresh test database (or, with `embedded`, on the embedded PostgreSQL in a
// temporary working directory: the out-of-the-box defaults).
import { generateKeyPairSync } from "node:crypto"
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type Database, upsertInstallation, upsertRepository } from "@patchplane/db"
import { createTestDatabase, type TestDatabase } from "@patchplane/db/testing"
import type { RunSteps } from "../../app/src/orchestration/run-steps.ts"
import { type RunningPatchPlane, startPatchPlane } from "../../app/src/main/start.ts"

export interface DashboardStack {
  readonly app: RunningPatchPlane
  readonly url: string
  /**
   * The local operator's cookie (`name=value`), as a browser holds it after
   * opening the sign-in URL PatchPlane printed; "" outside local mode.
   */
  readonly localCookie: string
  readonly db: Database
  readonly dir: string
  stop(): Promise<void>
}

export const fastOrchestration = {
  pollingIntervalMs: 20,
  heartbeatMs: 200,
  leaseMs: 1_500,
  reviewTimeoutSeconds: 60,
}

/** A GitHub App config against a fake API (a fresh private key in `dir`). */
export const githubConfig = async (dir: string, apiUrl: string) => {
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  })
  await writeFile(join(dir, "app.pem"), privateKey)
  return {
    appId: 4242,
    privateKey: { file: "app.pem" },
    webhookSecret: "dashboard-test-secret",
    apiUrl,
    retries: 0,
    throttle: false,
  }
}

export const startDashboardStack = async (options: {
  steps: (db: () => Database) => RunSteps
  config?: (dir: string) => Promise<Record<string, unknown>> | Record<string, unknown>
  embedded?: boolean
}): Promise<DashboardStack> => {
  const dir = await mkdtemp(join(tmpdir(), "pp-dash-"))
  // As root, the embedded PostgreSQL runs as "postgres" and must reach this folder.
  await chmod(dir, 0o755)
  const testDb: TestDatabase | null = options.embedded ? null : await createTestDatabase("dash")
  const extra = (await options.config?.(dir)) ?? {}
  await writeFile(
    join(dir, "patchplane.config.json"),
    JSON.stringify({
      ...extra,
      server: { port: 0, logLevel: "silent", ...(extra.server as object | undefined) },
      // Absolute: the embedded data directory resolves against the process's cwd, not `cwd`.
      database: { embedded: { dataDir: join(dir, ".patchplane", "postgres") } },
      orchestration: { ...fastOrchestration, ...(extra.orchestration as object | undefined) },
    }),
  )
  let app: RunningPatchPlane | null = null
  const db = () => {
    if (app === null) throw new Error("PatchPlane is not started yet")
    return app.database.db
  }
  try {
    app = await startPatchPlane({
      cwd: dir,
      env: testDb === null ? {} : { DATABASE_URL: testDb.url },
      steps: options.steps(db),
    })
  } catch (error) {
    await testDb?.drop()
    throw error
  }
  const running = app
  let localCookie = ""
  if (running.localOperator !== null) {
    const visit = await fetch(running.localOperator.signInUrl, { redirect: "manual" })
    localCookie = (visit.headers.get("set-cookie") ?? "").split(";")[0] ?? ""
  }
  return {
    app: running,
    url: running.url ?? "",
    localCookie,
    db: running.database.db,
    dir,
    stop: async () => {
      await running.stop()
      await testDb?.drop()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** A connected repository (as an installation event would record it). */
export const connectRepository = async (db: Database, fullName: string, installationId = 900) => {
  const installation = await upsertInstallation(db, {
    installationId,
    accountLogin: fullName.split("/")[0] ?? "acme",
    accountId: installationId,
    accountType: "Organization",
  })
  return upsertRepository(db, {
    githubInstallationId: installation.id,
    githubRepoId: Math.abs([...fullName].reduce((h, c) => (h * 31 + c.charCodeAt(0)) | 0, 7)),
    fullName,
  })
}
