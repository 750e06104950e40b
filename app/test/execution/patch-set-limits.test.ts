// The rules behind PatchSet limits and high-risk workflow changes, case by
// case (the end-to-end behaviour is in test/security/patch-set-limits.test.ts).
import { describe, expect, it } from "vitest"
import {
  decodeSyncWith,
  type FileChange,
  patchSetLimitFindings,
  PolicySpec,
} from "@patchplane/domain"
import { workflowRisk } from "../../src/execution/workflow-files.ts"

const limits = (overrides: Record<string, unknown> = {}) =>
  decodeSyncWith(PolicySpec, "policy")({ patchSetLimits: overrides }).patchSetLimits

const file = (path: string, bytes: number, extra: Partial<FileChange> = {}): FileChange => ({
  path,
  status: "added",
  additions: 0,
  deletions: 0,
  bytes,
  ...extra,
})

describe("patchSetLimits", () => {
  it("defaults: 10 MiB per file and 50 MiB in all refused, binaries to manual review", () => {
    expect(limits()).toEqual({
      maxFileBytes: 10 * 1024 * 1024,
      maxTotalBytes: 50 * 1024 * 1024,
      oversized: "refuse",
      binaryFiles: "manual-review",
    })
    const found = patchSetLimitFindings(limits(), [
      file("huge.bin", 2 * 1024 ** 3, { binary: true }),
      file("ok.txt", 100),
    ])
    expect(found.refuse).toEqual([
      "huge.bin is 2.0 GiB, over the largest-file limit of 10.0 MiB",
      "the changed files total 2.0 GiB, over the limit of 50.0 MiB",
    ])
    expect(found.review).toEqual(["binary file: huge.bin"])
  })

  it("counts the total over many files, ignores deletions, and follows the policy's choices", () => {
    const nine = Array.from({ length: 6 }, (_, i) => file(`part-${i}.txt`, 9 * 1024 * 1024))
    expect(patchSetLimitFindings(limits(), nine).refuse).toEqual([
      "the changed files total 54.0 MiB, over the limit of 50.0 MiB",
    ])
    const gone: FileChange = {
      path: "gone.bin",
      status: "deleted",
      additions: 0,
      deletions: 0,
      binary: true,
    }
    expect(patchSetLimitFindings(limits(), [gone])).toEqual({ refuse: [], review: [] })
    const lenient = limits({ oversized: "manual-review", binaryFiles: "refuse" })
    const found = patchSetLimitFindings(lenient, [
      file("big.png", 11 * 1024 * 1024, { binary: true }),
    ])
    expect(found.review).toEqual(["big.png is 11.0 MiB, over the largest-file limit of 10.0 MiB"])
    expect(found.refuse).toEqual(["binary file: big.png"])
    expect(
      patchSetLimitFindings(limits({ binaryFiles: "allow" }), [
        file("a.png", 10, { binary: true }),
      ]),
    ).toEqual({ refuse: [], review: [] })
  })
})

describe("workflow changes", () => {
  it("are high risk when the workflow can hand a secret or the job token to the code it runs", () => {
    const path = ".github/workflows/ci.yml"
    expect(
      workflowRisk(path, "env:\n  T: ${{ secrets.NPM_TOKEN }}\n  U: ${{ secrets['OTHER'] }}\n"),
    ).toBe("workflow changed that hands secrets.NPM_TOKEN, secrets.OTHER to the code it runs")
    expect(
      workflowRisk(
        path,
        "jobs:\n  a:\n    uses: ./.github/workflows/r.yml\n    secrets: inherit\n",
      ),
    ).toBe("workflow changed that hands secrets: inherit to the code it runs")
    expect(workflowRisk(".github/workflows/x.yaml", "run: echo ${{ github.token }}")).toBe(
      "workflow changed that hands github.token to the code it runs",
    )
    expect(workflowRisk(path, null)).toBe(
      "workflow changed; too large to check which secrets it hands on",
    )
  })

  it("are not flagged without secrets, and other files never are", () => {
    expect(workflowRisk(".github/workflows/ci.yml", "on: push\njobs: {}\n")).toBeNull()
    expect(workflowRisk("docs/secrets.md", "uses secrets.NPM_TOKEN")).toBeNull()
    expect(workflowRisk(".github/workflows/nested/ci.yml", "${{ secrets.A }}")).toBeNull()
  })
})
