import { describe, expect, it } from "vitest"
import { checkLayers, type SourceFile, type Workspace } from "./check-layers.ts"

const workspaces = (extra: Partial<Record<string, Array<string>>> = {}): Array<Workspace> =>
  [
    ["domain", ["effect"]],
    ["policy", ["@patchplane/domain"]],
    ["db", ["@patchplane/domain"]],
    ["action", ["@patchplane/domain", "@patchplane/policy"]],
    ["dashboard", ["@patchplane/domain"]],
    ["app", ["@patchplane/domain", "@patchplane/policy", "@patchplane/db", "probot"]],
  ].map(([dir, declared]) => ({
    dir: dir as string,
    name: `@patchplane/${dir as string}`,
    declared: [...(declared as Array<string>), ...(extra[dir as string] ?? [])],
  }))

const file = (path: string, ...imports: Array<string>): SourceFile => ({
  path,
  text: imports.map((specifier, i) => `import { x${i} } from "${specifier}"\n`).join(""),
})

// Crossing imports also close cycles (domain → db → domain); those have their own test.
const rulesOf = (files: Array<SourceFile>, ws = workspaces()) =>
  checkLayers(ws, files, [])
    .filter((v) => v.rule !== "cycle")
    .map((v) => `${v.rule} ${v.file} ${v.specifier}`)

describe("check:layers", () => {
  it("passes imports that follow the layers", () => {
    expect(
      rulesOf([
        file("domain/src/a.ts", "effect", "./b.ts"),
        file("action/src/git.ts", "@patchplane/domain", "@patchplane/policy"),
        file("app/src/github/probot.ts", "probot", "@patchplane/db"),
        // Tests may drive the whole stack and use SDKs directly.
        file("dashboard/test/stack.ts", "../../app/src/main/start.ts", "probot"),
        // Tests and benchmarks share test support.
        file("app/test/runtime/a.test.ts", "../support/scripted-runtime.ts"),
        file("app/bench/b.ts", "../test/support/test-database.ts"),
      ]),
    ).toEqual([])
  })

  it("fails on each kind of crossing, naming file and specifier", () => {
    expect(
      rulesOf([
        file("domain/src/a.ts", "@patchplane/db"),
        file("db/src/b.ts", "@patchplane/app/domain"),
        file("action/src/policy.ts", "../../app/src/config/repo-policy.ts"),
        file("action/src/results.ts", "../../domain/src/index.ts"),
        file("dashboard/lib/api-types.ts", "@patchplane/app/domain"),
        file("app/src/platform/database.ts", "@patchplane/db/testing"),
        file("app/src/runtime/runtime-adapter.ts", "../../test/support/scripted-runtime.ts"),
        file("app/dev/demo.ts", "../test/runtime/harness.ts"),
        file("app/src/intake/router.ts", "probot"),
        file("policy/src/p.ts", "@patchplane/domain"),
        file("app/src/http/routes.ts", "@patchplane/dashboard/server"),
      ]),
    ).toEqual([
      "boundary domain/src/a.ts @patchplane/db",
      "boundary db/src/b.ts @patchplane/app/domain",
      "boundary action/src/policy.ts ../../app/src/config/repo-policy.ts",
      "by-name action/src/results.ts ../../domain/src/index.ts",
      "boundary dashboard/lib/api-types.ts @patchplane/app/domain",
      "testing app/src/platform/database.ts @patchplane/db/testing",
      "testing app/src/runtime/runtime-adapter.ts ../../test/support/scripted-runtime.ts",
      "testing app/dev/demo.ts ../test/runtime/harness.ts",
      "vendor app/src/intake/router.ts probot",
      "undeclared app/src/http/routes.ts @patchplane/dashboard/server",
    ])
  })

  it("keeps intake off publication inside app/src", () => {
    expect(
      rulesOf([
        file(
          "app/src/intake/command-handler.ts",
          "../publication/intake-publication.ts",
          "./github-writes.ts",
          "../orchestration/orchestrator.ts",
        ),
        file("app/src/intake/sanitize/edits.ts", "../../publication/status-comment.ts"),
        file("app/src/main/start.ts", "../publication/intake-publication.ts"),
        // Tests drive the whole stack.
        file("app/test/intake/webhooks.test.ts", "../../src/publication/intake-publication.ts"),
      ]),
    ).toEqual([
      "layer app/src/intake/command-handler.ts ../publication/intake-publication.ts",
      "layer app/src/intake/sanitize/edits.ts ../../publication/status-comment.ts",
    ])
  })

  it("finds a cycle in the declared workspace dependencies", () => {
    const cyclic = workspaces({ app: ["@patchplane/dashboard"], dashboard: ["@patchplane/app"] })
    const violations = checkLayers(cyclic, [], [])
    expect(violations.map((v) => v.message)).toEqual([
      "workspace dependency cycle: app → dashboard → app",
    ])
  })

  it("sees dynamic imports, re-exports and resolves, not comments", () => {
    const violations = checkLayers(
      workspaces(),
      [
        {
          path: "app/src/runtime/other.ts",
          text: [
            '// import { Probot } from "probot"',
            'export type { Context } from "probot"',
            'const sdk = await import("@daytonaio/sdk")',
            'const pi = import.meta.resolve("@mariozechner/pi-coding-agent")',
          ].join("\n"),
        },
      ],
      [],
    )
    expect(violations.map((v) => v.specifier)).toEqual([
      "probot",
      "@daytonaio/sdk",
      "@mariozechner/pi-coding-agent",
    ])
  })
})
