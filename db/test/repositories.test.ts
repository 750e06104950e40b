import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  advanceWorkflowRun,
  appendProvenanceEdge,
  attachPolicyBundle,
  appendRuntimeEvent,
  finishDeliveries,
  finishDelivery,
  getDelivery,
  getPatchSet,
  getPatchSetDiff,
  getRepositoryByFullName,
  getWorkflowRun,
  insertPatchSet,
  insertPromptRequest,
  lineageOf,
  listPatchSets,
  listPromptRequests,
  listRuntimeEvents,
  listTransitions,
  listWorkflowRuns,
  recordDeliveries,
  recordDelivery,
  recordInertDeliveries,
  transitionWorkflowRun,
  upsertRepository,
} from "../src/index.ts"
import { createTestDatabase, type TestDatabase } from "../src/testing.ts"
import { seedRun } from "./fixtures.ts"

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase("repositories")
}, 60_000)
afterAll(() => t?.drop())

describe("webhook deliveries", () => {
  it("records a delivery once and reports a redelivery as already seen", async () => {
    const first = await recordDelivery(t.db, { deliveryId: "d-1", event: "issue_comment" })
    const again = await recordDelivery(t.db, { deliveryId: "d-1", event: "issue_comment" })
    expect(first.firstSeen).toBe(true)
    expect(again.firstSeen).toBe(false)
    expect(again.delivery.id).toBe(first.delivery.id)
    const count = await t.pool.query("SELECT count(*)::int AS n FROM webhook_deliveries")
    expect(count.rows[0].n).toBe(1)
  })

  it("keeps the outcome and error of a processed delivery", async () => {
    await recordDelivery(t.db, { deliveryId: "d-2", event: "issues", action: "opened" })
    await finishDelivery(t.db, "d-2", "refused", "repository not installed")
    const row = await getDelivery(t.db, "d-2")
    expect(row).toMatchObject({ outcome: "refused", error: "repository not installed" })
    expect(row?.processedAt).toBeInstanceOf(Date)
  })

  it("records a batch in one statement, a repeated id counting as a redelivery", async () => {
    await recordDelivery(t.db, { deliveryId: "b-failed", event: "ping" })
    await finishDelivery(t.db, "b-failed", "failed", "GitHub 502")
    const results = await recordDeliveries(t.db, [
      { deliveryId: "b-1", event: "ping" },
      { deliveryId: "b-2", event: "ping" },
      { deliveryId: "b-1", event: "ping" },
      { deliveryId: "d-1", event: "issue_comment" },
      { deliveryId: "b-failed", event: "ping" },
    ])
    expect(results).toEqual([
      { firstSeen: true, retried: false },
      { firstSeen: true, retried: false },
      { firstSeen: false, retried: false },
      { firstSeen: false, retried: false },
      { firstSeen: false, retried: true },
    ])
    expect((await getDelivery(t.db, "b-failed"))?.outcome).toBe("received")
    await finishDeliveries(t.db, [
      { deliveryId: "b-1", outcome: "ignored", error: "no command" },
      { deliveryId: "b-2", outcome: "processed", error: null },
    ])
    expect(await getDelivery(t.db, "b-1")).toMatchObject({
      outcome: "ignored",
      error: "no command",
    })
    expect((await getDelivery(t.db, "b-2"))?.outcome).toBe("processed")
  })

  it("records inert deliveries once, with their final outcome", async () => {
    const results = await recordInertDeliveries(t.db, [
      { deliveryId: "i-1", event: "issue_comment", error: "no /patchplane command" },
      { deliveryId: "i-1", event: "issue_comment", error: "no /patchplane command" },
      { deliveryId: "i-2", event: "push", error: "no handler for push" },
    ])
    expect(results.map((r) => r.firstSeen)).toEqual([true, false, true])
    expect(await getDelivery(t.db, "i-2")).toMatchObject({
      outcome: "ignored",
      error: "no handler for push",
    })
    expect((await getDelivery(t.db, "i-2"))?.processedAt).toBeInstanceOf(Date)
    const again = await recordInertDeliveries(t.db, [
      { deliveryId: "i-2", event: "push", error: "no handler for push" },
    ])
    expect(again).toEqual([{ firstSeen: false, retried: false }])
  })

  it("allows only one PromptRequest per delivery", async () => {
    const { repository } = await seedRun(t.db, "octo/dedupe")
    await recordDelivery(t.db, { deliveryId: "d-3", event: "issue_comment" })
    const values = {
      repositoryId: repository.id,
      prompt: "p",
      sourceChannel: "issue_comment",
      targetRef: "main",
      initiator: { kind: "github" as const, login: "octocat", id: 1 },
      deliveryId: "d-3",
    }
    await insertPromptRequest(t.db, values)
    await expect(insertPromptRequest(t.db, values)).rejects.toMatchObject({
      cause: { code: "23505", constraint: "prompt_requests_deliveryId_unique" },
    })
  })
})

describe("repositories and prompt requests", () => {
  it("upserts a repository by GitHub id and finds it by name, case-insensitively", async () => {
    const { repository, installation } = await seedRun(t.db, "Octo/Case")
    const renamed = await upsertRepository(t.db, {
      githubInstallationId: installation.id,
      githubRepoId: repository.githubRepoId,
      fullName: "Octo/Renamed",
      defaultBranch: "trunk",
    })
    expect(renamed.id).toBe(repository.id)
    expect((await getRepositoryByFullName(t.db, "octo/renamed"))?.defaultBranch).toBe("trunk")
  })

  it("lists a repository's requests newest first", async () => {
    const { repository } = await seedRun(t.db, "octo/list")
    for (const prompt of ["one", "two", "three"]) {
      await insertPromptRequest(t.db, {
        repositoryId: repository.id,
        prompt,
        sourceChannel: "app",
        targetRef: "main",
        initiator: { kind: "github", login: "octocat", id: 1 },
      })
    }
    const listed = await listPromptRequests(t.db, { repositoryId: repository.id })
    expect(listed.map((r) => r.prompt)).toEqual(["three", "two", "one", "fix the flaky test"])
  })
})

describe("workflow runs", () => {
  it("starts queued, with an audit row and a request → run provenance edge", async () => {
    const { run, request } = await seedRun(t.db)
    expect(run.state).toBe("queued")
    expect((await listTransitions(t.db, run.id)).map((r) => r.toState)).toEqual(["queued"])
    const lineage = await lineageOf(t.db, { kind: "prompt_request", id: request.id })
    expect(lineage.map((e) => e.relation)).toContain("started")
  })

  it("transitions only from the state the caller saw", async () => {
    const { run } = await seedRun(t.db)
    const moved = await transitionWorkflowRun(t.db, {
      id: run.id,
      from: "queued",
      to: "provisioning",
    })
    expect(moved?.state).toBe("provisioning")
    const stale = await transitionWorkflowRun(t.db, {
      id: run.id,
      from: "queued",
      to: "cancelled",
    })
    expect(stale).toBeUndefined()
    expect((await getWorkflowRun(t.db, run.id))?.state).toBe("provisioning")
    expect((await listTransitions(t.db, run.id)).map((r) => r.toState)).toEqual([
      "queued",
      "provisioning",
    ])
  })

  it("lets exactly one of two racing transitions win", async () => {
    const { run } = await seedRun(t.db)
    const results = await Promise.all([
      transitionWorkflowRun(t.db, { id: run.id, from: "queued", to: "cancelled", actor: "a" }),
      transitionWorkflowRun(t.db, { id: run.id, from: "queued", to: "provisioning", actor: "b" }),
    ])
    expect(results.filter((r) => r !== undefined)).toHaveLength(1)
    expect(await listTransitions(t.db, run.id)).toHaveLength(2)
  })

  it("advances from any allowed state, saying what the state was, and writes nothing otherwise", async () => {
    const { run } = await seedRun(t.db)
    const toRunning = {
      id: run.id,
      from: ["provisioning", "awaiting_approval"],
      to: "running",
    } as const
    expect(await advanceWorkflowRun(t.db, toRunning)).toEqual({ previous: "queued", moved: false })
    await advanceWorkflowRun(t.db, { id: run.id, from: ["queued"], to: "provisioning", actor: "w" })
    expect(await advanceWorkflowRun(t.db, { ...toRunning, reason: "go" })).toEqual({
      previous: "provisioning",
      moved: true,
    })
    expect(await getWorkflowRun(t.db, run.id)).toMatchObject({ state: "running", reason: "go" })
    const audit = await listTransitions(t.db, run.id)
    expect(audit.map((r) => [r.fromState, r.toState, r.actor])).toEqual([
      [null, "queued", "system"],
      ["queued", "provisioning", "w"],
      ["provisioning", "running", "system"],
    ])
    const edges = await lineageOf(t.db, { kind: "workflow_run", id: run.id })
    expect(edges.filter((e) => e.relation === "transitioned").map((e) => e.data)).toContainEqual({
      from: "provisioning",
      to: "running",
      reason: "go",
    })
    const missing = { ...toRunning, id: "00000000-0000-4000-8000-000000000000" }
    expect(await advanceWorkflowRun(t.db, missing)).toEqual({ previous: undefined, moved: false })
  })

  it("lets exactly one of two racing advances of the same run win", async () => {
    const { run } = await seedRun(t.db)
    const results = await Promise.all(
      Array.from({ length: 2 }, () =>
        advanceWorkflowRun(t.db, { id: run.id, from: ["queued"], to: "provisioning" }),
      ),
    )
    expect(results.filter((r) => r.moved)).toHaveLength(1)
    expect(results.filter((r) => !r.moved)).toEqual([{ previous: "provisioning", moved: false }])
    expect(await listTransitions(t.db, run.id)).toHaveLength(2)
  })

  it("attaches one shared policy row to runs that attach the same spec at once", async () => {
    const runs = await Promise.all(Array.from({ length: 8 }, () => seedRun(t.db)))
    const bundle = { name: "default", digest: `d-${Date.now()}`, spec: { a: 1 }, source: "config" }
    const ids = await Promise.all(runs.map(({ run }) => attachPolicyBundle(t.db, run.id, bundle)))
    expect(new Set(ids).size).toBe(1)
    for (const { run } of runs)
      expect((await getWorkflowRun(t.db, run.id))?.policyBundleId).toBe(ids[0])
    const rows = await t.pool.query(
      "SELECT count(*)::int AS n FROM policy_bundles WHERE digest = $1",
      [bundle.digest],
    )
    expect(rows.rows[0].n).toBe(1)
  })

  it("records the reason a run failed", async () => {
    const { run } = await seedRun(t.db)
    await transitionWorkflowRun(t.db, {
      id: run.id,
      from: "queued",
      to: "failed",
      reason: "sandbox creation failed after 3 attempts",
    })
    expect((await getWorkflowRun(t.db, run.id))?.reason).toBe(
      "sandbox creation failed after 3 attempts",
    )
  })

  it("pages through runs newest first without repeats, filtered by state", async () => {
    const { repository, request } = await seedRun(t.db, "octo/paging")
    const { insertWorkflowRun } = await import("../src/index.ts")
    for (let i = 0; i < 7; i++)
      await insertWorkflowRun(t.db, { promptRequestId: request.id, repositoryId: repository.id })
    const seen: string[] = []
    let after: { createdAt: Date; id: string } | undefined
    for (;;) {
      const page = await listWorkflowRuns(t.db, {
        repositoryId: repository.id,
        limit: 3,
        ...(after ? { after } : {}),
      })
      if (page.length === 0) break
      seen.push(...page.map((r) => r.id))
      const last = page[page.length - 1]!
      after = { createdAt: last.createdAt, id: last.id }
    }
    expect(seen).toHaveLength(8)
    expect(new Set(seen).size).toBe(8)
    const queued = await listWorkflowRuns(t.db, {
      repositoryId: repository.id,
      states: ["queued"],
      limit: 100,
    })
    expect(queued).toHaveLength(8)
    const failed = await listWorkflowRuns(t.db, { repositoryId: repository.id, states: ["failed"] })
    expect(failed).toHaveLength(0)
  })
})

describe("runtime events", () => {
  it("numbers concurrent appends 1..n without gaps or duplicates", async () => {
    const { run } = await seedRun(t.db)
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        appendRuntimeEvent(t.db, {
          workflowRunId: run.id,
          kind: "message",
          payload: { kind: "message", role: "assistant", text: `m${i}` },
        }),
      ),
    )
    const events = await listRuntimeEvents(t.db, run.id)
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1))
    const resumed = await listRuntimeEvents(t.db, run.id, { afterSeq: 35 })
    expect(resumed.map((e) => e.seq)).toEqual([36, 37, 38, 39, 40])
  })

  it("refuses to rewrite or delete history", async () => {
    const { run } = await seedRun(t.db)
    const event = await appendRuntimeEvent(t.db, {
      workflowRunId: run.id,
      kind: "message",
      payload: { kind: "message", role: "assistant", text: "" },
    })
    await expect(
      t.pool.query("UPDATE runtime_events SET kind = 'x' WHERE id = $1", [event.id]),
    ).rejects.toThrow(/append-only/)
    await expect(
      t.pool.query("DELETE FROM workflow_run_transitions WHERE workflow_run_id = $1", [run.id]),
    ).rejects.toThrow(/append-only/)
  })
})

describe("provenance", () => {
  it("walks the lineage from a request to its decision and rollback", async () => {
    const { run, request } = await seedRun(t.db)
    const ids = {
      session: crypto.randomUUID(),
      patch: crypto.randomUUID(),
      review: crypto.randomUUID(),
      decision: crypto.randomUUID(),
      rollback: crypto.randomUUID(),
    }
    const chain = [
      ["workflow_run", run.id, "executed", "runtime_session", ids.session],
      ["runtime_session", ids.session, "produced", "patch_set", ids.patch],
      ["patch_set", ids.patch, "reviewed", "review_run", ids.review],
      ["review_run", ids.review, "informed", "merge_decision", ids.decision],
      ["merge_decision", ids.decision, "rolled_back", "rollback", ids.rollback],
    ] as const
    for (const [fromKind, fromId, relation, toKind, toId] of chain)
      await appendProvenanceEdge(t.db, {
        fromKind,
        fromId,
        relation,
        toKind,
        toId,
        actor: "system",
      })
    const fromRequest = await lineageOf(t.db, { kind: "prompt_request", id: request.id })
    expect(fromRequest.map((e) => e.relation)).toEqual(
      expect.arrayContaining([
        "started",
        "executed",
        "produced",
        "reviewed",
        "informed",
        "rolled_back",
      ]),
    )
    const fromRollback = await lineageOf(t.db, { kind: "rollback", id: ids.rollback })
    expect(fromRollback.map((e) => e.fromId)).toContain(request.id)
    await expect(
      t.pool.query("DELETE FROM provenance_edges WHERE from_id = $1", [run.id]),
    ).rejects.toThrow(/append-only/)
  })
})

const patchSet = (workflowRunId: string) => ({
  workflowRunId,
  branch: `patchplane/${workflowRunId}`,
  baseSha: "a".repeat(40),
  headSha: "b".repeat(40),
  files: [{ path: "README.md", status: "modified" as const, additions: 1, deletions: 0 }],
  diffSummary: { filesChanged: 1, additions: 1, deletions: 0 },
})
const diff =
  "diff --git a/README.md b/README.md\n--- a/README.md\n+++ b/README.md\n@@ -1 +1,2 @@\n # demo\n+more\n"

describe("patch sets", () => {
  it("stores the diff with the PatchSet, in the same write, and never rewrites it", async () => {
    const { run } = await seedRun(t.db)
    const row = await insertPatchSet(t.db, patchSet(run.id), {
      diff,
      bytes: 4_000_000,
      truncated: true,
    })
    expect(await getPatchSetDiff(t.db, row.id)).toMatchObject({
      patchSetId: row.id,
      diff,
      bytes: 4_000_000,
      truncated: true,
    })
    // A PatchSet recorded without one (as before diffs were stored) has none.
    const older = await insertPatchSet(t.db, patchSet(run.id))
    expect(await getPatchSetDiff(t.db, older.id)).toBeUndefined()
    // All or nothing: a diff that cannot be written leaves no PatchSet behind.
    await expect(
      insertPatchSet(t.db, patchSet(run.id), { diff, bytes: 2 ** 40, truncated: false }),
    ).rejects.toThrow(/patch_set_diffs/)
    expect((await listPatchSets(t.db, run.id)).map((p) => p.id)).toEqual([row.id, older.id])
    await expect(
      t.pool.query("UPDATE patch_set_diffs SET diff = '' WHERE patch_set_id = $1", [row.id]),
    ).rejects.toThrow(/append-only/)
    await expect(
      t.pool.query("DELETE FROM patch_set_diffs WHERE patch_set_id = $1", [row.id]),
    ).rejects.toThrow(/append-only/)
    expect(await getPatchSet(t.db, row.id)).toBeDefined()
  })

  it("keeps a diff with a NUL byte, which PostgreSQL text cannot hold", async () => {
    const { run } = await seedRun(t.db)
    const row = await insertPatchSet(t.db, patchSet(run.id), {
      diff: "+a\u0000b\n",
      bytes: 6,
      truncated: false,
    })
    expect((await getPatchSetDiff(t.db, row.id))?.diff).toBe("+a\uFFFDb\n")
  })
})
