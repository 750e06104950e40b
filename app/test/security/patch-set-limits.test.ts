// What a PatchSet may carry, end to end (webhook → bwrap → the real Pi →
// PatchSet → policy → push): a hostile scripted model that commits a 2 GiB
// file (sparse: the same git path as a dense one, without the disk) is
// refused by the policy's patchSetLimits before anything is pushed — the run
// fails naming the file, and the GitHub stand-in never sees the branch. A
// workflow that hands secrets to the code it runs is high risk: pushed, but
// the PatchSet marks it and the decision needs a human.
import { latestMergeDecision, listPatchSets } from "@patchplane/db"
import { afterAll, beforeAll, expect, it } from "vitest"
import { REPOSITORY } from "../../dev/local-world.ts"
import { callTools, say, toolCall } from "../../dev/scripted-model/model-scripts.ts"
import { type Loop, startLoop } from "../e2e/harness.ts"

let loop: Loop

beforeAll(async () => {
  loop = await startLoop("patch_limits")
}, 120_000)

afterAll(async () => {
  await loop?.stop()
})

const bash = (command: string) => [
  callTools(toolCall("bash", { command }, "call_change")),
  say("Done."),
]

it("refuses a 2 GiB file by policy before the push: the run fails naming it, nothing reaches GitHub", async () => {
  const { world, db } = loop
  const sent = await world.request("add the dataset", {
    script: bash("truncate -s 2G dataset.bin && ls -l dataset.bin"),
  })
  expect(sent.status).toBe(200)
  const failed = await loop.until(
    "the refused run",
    async () => {
      const run = await loop.db.pool.query<{ id: string; state: string; reason: string | null }>(
        "SELECT id, state, reason FROM workflow_runs ORDER BY created_at DESC LIMIT 1",
      )
      const row = run.rows[0]
      return row !== undefined && row.state === "failed" ? row : undefined
    },
    170_000,
  )
  expect(failed.reason).toContain("refused by policy (patchSetLimits) and not pushed")
  expect(failed.reason).toContain("dataset.bin is 2.0 GiB, over the largest-file limit of 10.0 MiB")
  // The PatchSet is on record (what the agent did), with the file's size.
  const [patchSet] = await listPatchSets(db.db, failed.id)
  expect(patchSet?.files).toEqual([
    expect.objectContaining({ path: "dataset.bin", bytes: 2 * 1024 ** 3, binary: true }),
  ])
  // Never pushed: no branch, no receive-pack request, no PR.
  await expect(
    world.rest(`/repos/${REPOSITORY}/git/ref/heads/patchplane/${failed.id}`),
  ).rejects.toThrow(/404/)
  expect(world.github.requests.filter((r) => r.path.endsWith("/git-receive-pack"))).toEqual([])
}, 200_000)

it("marks a workflow that hands secrets to new code high risk: the decision needs a human", async () => {
  const { world, db } = loop
  const workflow = [
    "name: publish",
    "on: push",
    "jobs:",
    "  publish:",
    "    runs-on: ubuntu-latest",
    "    steps:",
    "      - uses: actions/checkout@v4",
    "      - run: node scripts/publish.js",
    "        env:",
    "          NPM_TOKEN: ${{ secrets.NPM_TOKEN }}",
    "",
  ].join("\n")
  const sent = await world.request("publish on push", {
    script: [
      callTools(
        toolCall("write", { path: ".github/workflows/publish.yml", content: workflow }, "w1"),
        toolCall("write", { path: "scripts/publish.js", content: "console.log('hi')\n" }, "w2"),
      ),
      say("Added a publish workflow."),
    ],
  })
  expect(sent.status).toBe(200)
  const run = await loop.runOn(sent.issueNumber, (r) => r.pullRequestNumber !== null, "the PR")
  const [patchSet] = await listPatchSets(db.db, run.id)
  const changed = patchSet?.files.find((f) => f.path === ".github/workflows/publish.yml")
  expect(changed?.risk).toBe("workflow changed that hands secrets.NPM_TOKEN to the code it runs")
  expect(patchSet?.files.find((f) => f.path === "scripts/publish.js")?.risk).toBeUndefined()

  // The repository's CI reviews it (the companion Action); the decision needs a human.
  // The Action exits non-zero when the decision does not pass; its security reviewer may
  // reject the secret-handling workflow outright, which is no pass either.
  await world.review(run.pullRequestNumber ?? 0, loop.url)
  const decision = await loop.until(
    "the decision",
    async () => (await latestMergeDecision(db.db, run.id)) ?? undefined,
  )
  expect(decision.criteria).toContainEqual({
    criterion: "high-risk-files",
    passed: false,
    detail:
      "need manual review: .github/workflows/publish.yml (workflow changed that hands secrets.NPM_TOKEN to the code it runs)",
  })
  expect(["manual-review", "rejected"]).toContain(decision.state)
}, 200_000)
