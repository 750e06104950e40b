// GitHub runs only the committed dist/index.js: it must be exactly what the
// sources build to today. Fails when a source (ours, or the domain it
// bundles) changed without `npm run build --workspace=@patchplane/action`.
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parse } from "yaml"
import { describe, expect, it } from "vitest"
import { actionRoot, buildBundle, committedBundle } from "../scripts/build.ts"

describe("the committed bundle", () => {
  it("is byte-for-byte what the sources build to", async () => {
    const dir = await mkdtemp(join(tmpdir(), "pp-action-build-"))
    try {
      const fresh = join(dir, "index.js")
      await buildBundle(fresh)
      const [built, committed] = await Promise.all([readFile(fresh), readFile(committedBundle)])
      expect(
        built.equals(committed),
        "action/dist/index.js is stale: run `npm run build --workspace=@patchplane/action`",
      ).toBe(true)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it("is what action.yml runs, on node24", async () => {
    const manifest = parse(await readFile(join(actionRoot, "action.yml"), "utf8")) as {
      runs: { using: string; main: string }
      inputs: Record<string, { default?: string }>
    }
    expect(manifest.runs).toEqual({ using: "node24", main: "dist/index.js" })
    expect(manifest.inputs["policy-path"]?.default).toBe(".github/patchplane.yml")
    expect(Object.keys(manifest.inputs)).toEqual(
      expect.arrayContaining(["patchplane-url", "reviewers", "test-command", "timeout-seconds"]),
    )
  })
})

describe("the reusable workflow", () => {
  it("is callable; the job that runs the change has no token, the one with the token runs no change", async () => {
    const text = await readFile(
      join(actionRoot, "../.github/workflows/patchplane-review.yml"),
      "utf8",
    )
    const workflow = parse(text) as {
      on: Record<string, { inputs?: Record<string, unknown> } | null>
      jobs: Record<
        string,
        {
          needs?: string
          permissions: Record<string, string>
          steps: Array<{ uses?: string; run?: string; with?: Record<string, unknown> }>
        }
      >
    }
    expect(Object.keys(workflow.on)).toEqual(["workflow_call", "pull_request"])
    expect(Object.keys(workflow.on.workflow_call?.inputs ?? {})).toContain("patchplane-url")
    const review = workflow.jobs.review
    // The PR's code (setup, tests, linters) runs here: no id-token, so no
    // ACTIONS_ID_TOKEN_REQUEST_* for it to find.
    expect(review?.permissions).toEqual({ contents: "read" })
    expect(review?.steps.map((s) => s.uses).filter(Boolean)).toEqual([
      "actions/checkout@v5",
      "actions/setup-node@v5",
      "patchplane/patchplane/action@main",
      "actions/upload-artifact@v4",
    ])
    expect(review?.steps.find((s) => s.uses?.endsWith("/action@main"))?.with?.mode).toBe("review")
    const report = workflow.jobs.report
    expect(report?.needs).toBe("review")
    expect(report?.permissions).toEqual({ "id-token": "write", actions: "read" })
    // Nothing of the PR is checked out or run: the artifact, then the Action's report mode.
    expect(report?.steps.map((s) => s.uses)).toEqual([
      "actions/download-artifact@v4",
      "patchplane/patchplane/action@main",
    ])
    expect(report?.steps.some((s) => s.run !== undefined)).toBe(false)
    expect(report?.steps.at(-1)?.with?.mode).toBe("report")
  })
})
