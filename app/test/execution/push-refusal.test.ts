// Push refusals are read from git's own output: GitHub's workflow-permission
// refusal (as git prints it from github.com, and from the stand-in's hook) is
// a permission refusal, never a moved branch; git's non-fast-forward is.
import { describe, expect, it } from "vitest"
import { classifyPushOutput } from "../../src/execution/push-refusal.ts"

describe("classifyPushOutput", () => {
  it("reads GitHub's workflow refusal as a permission refusal", () => {
    // As github.com answers (peter-evans/create-pull-request#1713).
    const github = [
      "To https://github.com/acme/widgets",
      " ! [remote rejected] patchplane/run -> patchplane/run (refusing to allow a GitHub App to create or update workflow `.github/workflows/ci.yml` without `workflows` permission)",
      "error: failed to push some refs to 'https://github.com/acme/widgets'",
    ].join("\n")
    expect(classifyPushOutput(github)).toEqual({
      kind: "permission",
      detail:
        "refusing to allow a GitHub App to create or update workflow `.github/workflows/ci.yml` without `workflows` permission",
    })
    // As the stand-in's pre-receive hook makes git print it.
    const standIn = [
      "remote: refusing to allow a GitHub App to create or update workflow `.github/workflows/ci.yml` without `workflows` permission",
      " ! [remote rejected] ci -> ci (pre-receive hook declined)",
    ].join("\n")
    expect(classifyPushOutput(standIn)?.kind).toBe("permission")
  })

  it("reads a moved branch as non-fast-forward, and a bare server refusal as neither", () => {
    const moved = [
      " ! [rejected]        patchplane/run -> patchplane/run (fetch first)",
      "hint: Updates were rejected because the remote contains work that you do not",
    ].join("\n")
    expect(classifyPushOutput(moved)).toEqual({ kind: "non-fast-forward" })
    expect(classifyPushOutput(" ! [rejected] main -> main (non-fast-forward)")?.kind).toBe(
      "non-fast-forward",
    )
    expect(classifyPushOutput(" ! [remote rejected] a -> a (shallow update not allowed)")).toBe(
      null,
    )
    expect(
      classifyPushOutput("remote: Permission to acme/widgets.git denied to x-access-token.")?.kind,
    ).toBe("permission")
  })
})
