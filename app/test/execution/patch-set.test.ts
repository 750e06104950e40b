// PatchSet collection from a real repository in the local sandbox after a
// real change, stored in PostgreSQL with its diff and the sandbox recorded on
// its session.
import { rm } from "node:fs/promises"
import {
  getPatchSetDiff,
  getRuntimeSession,
  insertPromptRequest,
  insertRuntimeSession,
  insertWorkflowRun,
  listPatchSets,
  upsertInstallation,
  upsertRepository,
} from "@patchplane/db"
import { Effect, Layer } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { checkoutRepository } from "../../src/execution/checkout.ts"
import { ExecutionAdapter } from "../../src/execution/execution-adapter.ts"
import { recordSandboxOnSession, savePatchSet } from "../../src/execution/execution-records.ts"
import { collectPatchSet } from "../../src/execution/patch-set-collector.ts"
import type { SandboxHandle } from "../../src/execution/sandbox-types.ts"
import { Database } from "../../src/platform/database.ts"
import { testInstallationBrokerLayer } from "../support/test-installation-broker.ts"
import { testDatabaseLayer } from "../support/test-database.ts"
import { openTempDir, profile, runIn, type SeededRemote, seedRemote } from "./helpers.ts"

const packageJson = (deps: Record<string, string>) =>
  `${JSON.stringify({ name: "demo", scripts: { test: "node --test" }, dependencies: deps }, null, 2)}\n`

let root: string
let remote: SeededRemote

beforeAll(async () => {
  root = await openTempDir("pp-patchset-")
  remote = await seedRemote(root, {
    "README.md": "# demo\n",
    "src/math.js": "export const add = (a, b) => a + b\n",
    "src/old-name.js": "export const keep = true\n",
    "docs/obsolete.md": "remove me\n",
    "package.json": packageJson({ express: "^4.18.0", lodash: "^4.17.20" }),
  })
})
afterAll(() => rm(root, { recursive: true, force: true }))

const layers = () =>
  Layer.mergeAll(
    ExecutionAdapter.layerLocal({
      readOnlyBinds: [{ hostPath: remote.bareDir, sandboxPath: "/remotes/demo.git" }],
    }),
    testInstallationBrokerLayer(),
  )

/** A sandbox with the demo repository checked out, for `use`. */
const withCheckout = <A, E>(
  runId: string,
  use: (sandbox: SandboxHandle, repoPath: string) => Effect.Effect<A, E, ExecutionAdapter>,
) =>
  runIn(layers())(
    Effect.gen(function* () {
      const sandbox = yield* ExecutionAdapter.scoped({ runId, profile: profile() })
      const checkout = yield* checkoutRepository(sandbox, {
        runId,
        installationId: 1,
        repository: "octo/demo",
        cloneUrl: "/remotes/demo.git",
      })
      return yield* use(sandbox, checkout.path)
    }),
  )

const agentEdits = [
  "printf 'export const add = (a, b) => a + b\\nexport const sub = (a, b) => a - b\\n' > src/math.js",
  "printf 'new file\\nsecond line\\n' > NOTES.md",
  "git mv src/old-name.js src/new-name.js",
  "rm docs/obsolete.md",
  `printf '%s' '${packageJson({ express: "^4.19.2", zod: "^3.23.0" })}' > package.json`,
  "printf 'requests==2.32.3\\n' > requirements.txt",
].join(" && ")

describe("PatchSet collection", () => {
  it("commits the agent's change on patchplane/<run-id> with trailers and describes it", async () => {
    const runId = "8f7c2a10-0000-4000-8000-000000000001"
    const collected = await withCheckout(runId, (sandbox, repoPath) =>
      Effect.gen(function* () {
        const adapter = yield* ExecutionAdapter
        const edit = yield* adapter.exec(sandbox, ["sh", "-c", agentEdits], { cwd: repoPath })
        if (edit.exitCode !== 0) return yield* Effect.die(new Error(edit.stderr))
        const outcome = yield* collectPatchSet({
          sandbox,
          repoPath,
          runId,
          baseSha: remote.headSha,
          requestedBy: "octocat",
          subject: "Add sub()",
          commands: ["ls -la", "npm test", "npx vitest run src", "npm test", "cat package.json"],
          toolsUsed: ["bash", "edit", "bash"],
        })
        const log = yield* adapter.exec(sandbox, ["git", "log", "-1", "--format=%B%n%an <%ae>"], {
          cwd: repoPath,
        })
        const branch = yield* adapter.exec(sandbox, ["git", "branch", "--show-current"], {
          cwd: repoPath,
        })
        return { outcome, log: log.stdout, branch: branch.stdout.trim() }
      }),
    )
    const { outcome, log, branch } = collected
    if (outcome.kind !== "changes") throw new Error("expected changes")
    const { patchSet, diff } = outcome
    expect(branch).toBe(`patchplane/${runId}`)
    expect(patchSet.branch).toBe(`patchplane/${runId}`)
    expect(patchSet.baseSha).toBe(remote.headSha)
    expect(patchSet.headSha).toMatch(/^[0-9a-f]{40}$/)
    expect(patchSet.headSha).not.toBe(remote.headSha)
    expect(log).toBe(
      `Add sub()\n\nPatchPlane-Run: ${runId}\nRequested-by: octocat\n\nPatchPlane <patchplane@users.noreply.github.com>\n`,
    )
    const byPath = Object.fromEntries(patchSet.files.map((file) => [file.path, file]))
    expect(byPath["src/math.js"]).toEqual({
      path: "src/math.js",
      status: "modified",
      additions: 1,
      deletions: 0,
      bytes: 70,
    })
    expect(byPath["NOTES.md"]).toEqual({
      path: "NOTES.md",
      status: "added",
      additions: 2,
      deletions: 0,
      bytes: 21,
    })
    expect(byPath["src/new-name.js"]).toEqual({
      path: "src/new-name.js",
      status: "renamed",
      additions: 0,
      deletions: 0,
      previousPath: "src/old-name.js",
      bytes: 25,
    })
    expect(byPath["docs/obsolete.md"]).toEqual({
      path: "docs/obsolete.md",
      status: "deleted",
      additions: 0,
      deletions: 1,
    })
    expect(byPath["requirements.txt"]?.status).toBe("added")
    expect(patchSet.diffSummary).toEqual({
      filesChanged: 6,
      additions: patchSet.files.reduce((n, f) => n + f.additions, 0),
      deletions: patchSet.files.reduce((n, f) => n + f.deletions, 0),
    })
    expect(patchSet.diffSummary.filesChanged).toBe(patchSet.files.length)
    expect(outcome.highRisk).toBe(true)
    expect(patchSet.dependencyChanges).toEqual(
      expect.arrayContaining([
        { manifest: "package.json", name: "express", from: "^4.18.0", to: "^4.19.2" },
        { manifest: "package.json", name: "lodash", from: "^4.17.20", to: null },
        { manifest: "package.json", name: "zod", from: null, to: "^3.23.0" },
        { manifest: "requirements.txt", name: "requests", from: null, to: "==2.32.3" },
      ]),
    )
    expect(patchSet.dependencyChanges).toHaveLength(4)
    expect(patchSet.testsRun).toEqual(["npm test", "npx vitest run src"])
    expect(patchSet.toolsUsed).toEqual(["bash", "edit"])
    expect(diff.truncated).toBe(false)
    expect(diff.note).toBeNull()
    expect(diff.content).toContain("+export const sub = (a, b) => a - b")
    expect(diff.content).toContain("rename from src/old-name.js")
    expect(diff.bytes).toBe(Buffer.byteLength(diff.content))
  }, 30_000)

  it("reports an untouched workspace as 'no changes', not as an error", async () => {
    const outcome = await withCheckout("run-empty", (sandbox, repoPath) =>
      collectPatchSet({
        sandbox,
        repoPath,
        runId: "run-empty",
        baseSha: remote.headSha,
        requestedBy: "octocat",
      }),
    )
    expect(outcome).toEqual({
      kind: "no-changes",
      branch: "patchplane/run-empty",
      baseSha: remote.headSha,
    })
  }, 30_000)

  it("caps the stored diff and says where the full change is", async () => {
    const outcome = await withCheckout("run-big", (sandbox, repoPath) =>
      Effect.gen(function* () {
        const adapter = yield* ExecutionAdapter
        yield* adapter.exec(sandbox, ["sh", "-c", "seq 1 5000 > big.txt"], { cwd: repoPath })
        return yield* collectPatchSet({
          sandbox,
          repoPath,
          runId: "run-big",
          baseSha: remote.headSha,
          requestedBy: "octocat",
          maxDiffBytes: 1000,
        })
      }),
    )
    if (outcome.kind !== "changes") throw new Error("expected changes")
    expect(outcome.highRisk).toBe(false)
    expect(outcome.patchSet.dependencyChanges).toEqual([])
    expect(outcome.patchSet.files).toEqual([
      { path: "big.txt", status: "added", additions: 5000, deletions: 0, bytes: 23893 },
    ])
    expect(outcome.diff.truncated).toBe(true)
    expect(Buffer.byteLength(outcome.diff.content)).toBeLessThanOrEqual(1000)
    expect(outcome.diff.bytes).toBeGreaterThan(20_000)
    expect(outcome.diff.note).toContain("patchplane/run-big")
    expect(outcome.diff.note).toContain(outcome.patchSet.headSha ?? "no head")
  }, 30_000)

  it("stores the PatchSet with its diff and records the sandbox id on the RuntimeSession", async () => {
    const stored = await runIn(Layer.mergeAll(layers(), testDatabaseLayer))(
      Effect.gen(function* () {
        const { db } = yield* Database
        const run = yield* Effect.promise(async () => {
          const installation = await upsertInstallation(db, {
            installationId: 99,
            accountLogin: "octo",
            accountId: 1,
            accountType: "Organization",
          })
          const repository = await upsertRepository(db, {
            githubInstallationId: installation.id,
            githubRepoId: 99,
            fullName: "octo/demo",
          })
          const request = await insertPromptRequest(db, {
            repositoryId: repository.id,
            prompt: "add sub",
            sourceChannel: "issue_comment",
            targetRef: "main",
            initiator: { kind: "github", login: "octocat", id: 1 },
            initiatorLogin: "octocat",
          })
          return insertWorkflowRun(db, { promptRequestId: request.id, repositoryId: repository.id })
        })
        const session = yield* Effect.promise(() =>
          insertRuntimeSession(db, {
            workflowRunId: run.id,
            adapter: "pi",
            approvalPolicy: "escalate",
            sandboxPolicy: "local/none",
            timeoutSeconds: 120,
          }),
        )
        const adapter = yield* ExecutionAdapter
        const sandbox = yield* ExecutionAdapter.scoped({ runId: run.id, profile: profile() })
        yield* recordSandboxOnSession(session.id, sandbox)
        const checkout = yield* checkoutRepository(sandbox, {
          runId: run.id,
          installationId: 99,
          repository: "octo/demo",
          cloneUrl: "/remotes/demo.git",
        })
        yield* adapter.exec(sandbox, ["sh", "-c", "echo more >> README.md"], { cwd: checkout.path })
        const outcome = yield* collectPatchSet({
          sandbox,
          repoPath: checkout.path,
          runId: run.id,
          runtimeSessionId: session.id,
          baseSha: checkout.baseSha,
          requestedBy: "octocat",
        })
        if (outcome.kind !== "changes") return yield* Effect.die(new Error("expected changes"))
        const row = yield* savePatchSet(outcome.patchSet, outcome.diff)
        return {
          sandbox,
          row,
          collected: outcome.diff,
          diff: yield* Effect.promise(() => getPatchSetDiff(db, row.id)),
          session: yield* Effect.promise(() => getRuntimeSession(db, session.id)),
          listed: yield* Effect.promise(() => listPatchSets(db, run.id)),
        }
      }),
    )
    expect(stored.session?.sandboxId).toBe(stored.sandbox.id)
    expect(stored.session?.sandboxId).toMatch(/^local-/)
    expect(stored.session?.workspaceRoot).toBe("/workspace")
    expect(stored.listed.map((row) => row.id)).toEqual([stored.row.id])
    expect(stored.row.files).toEqual([
      { path: "README.md", status: "modified", additions: 1, deletions: 0, bytes: 12 },
    ])
    expect(stored.row.diffSummary).toEqual({ filesChanged: 1, additions: 1, deletions: 0 })
    expect(stored.row.runtimeSessionId).toBe(stored.session?.id)
    // The diff as collected, in the same write: readable without the git host.
    expect(stored.diff).toMatchObject({
      patchSetId: stored.row.id,
      diff: stored.collected.content,
      bytes: stored.collected.bytes,
      truncated: false,
    })
    expect(stored.diff?.diff).toContain("diff --git a/README.md b/README.md")
    expect(stored.diff?.diff).toContain("+more")
  }, 30_000)
})
