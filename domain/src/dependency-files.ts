// Dependency manifests and lock files. A change to any of them is high risk
// (new code from outside the repository) and is reviewed separately. Common
// manifests are itemized per dependency; lock files and the rest are reported
// as one change with name "*" (the file changed; see the diff).
import { posix } from "node:path"
import type { DependencyChange } from "./patch-set.ts"

export type DependencyFileKind = "manifest" | "lockfile"

const manifests = new Set([
  "package.json",
  "deno.json",
  "deno.jsonc",
  "Pipfile",
  "pyproject.toml",
  "setup.py",
  "setup.cfg",
  "go.mod",
  "Cargo.toml",
  "Gemfile",
  "composer.json",
  "pom.xml",
  "build.gradle",
  "build.gradle.kts",
  "mix.exs",
  "Package.swift",
  "pubspec.yaml",
])

const lockfiles = new Set([
  "package-lock.json",
  "npm-shrinkwrap.json",
  "yarn.lock",
  "pnpm-lock.yaml",
  "bun.lock",
  "bun.lockb",
  "deno.lock",
  "Pipfile.lock",
  "poetry.lock",
  "uv.lock",
  "pdm.lock",
  "go.sum",
  "go.work.sum",
  "Cargo.lock",
  "Gemfile.lock",
  "composer.lock",
  "gradle.lockfile",
  "packages.lock.json",
  "mix.lock",
  "Package.resolved",
  "pubspec.lock",
])

export const dependencyFileKind = (path: string): DependencyFileKind | null => {
  const name = posix.basename(path)
  if (lockfiles.has(name)) return "lockfile"
  if (manifests.has(name)) return "manifest"
  // requirements.txt, requirements-dev.txt, requirements/base.txt, constraints.txt
  if (/^(requirements|constraints)([-_.\w]*)\.(txt|in)$/.test(name)) return "manifest"
  if (/(^|\/)requirements\/[^/]+\.(txt|in)$/.test(path)) return "manifest"
  if (name.endsWith(".csproj") || name.endsWith(".fsproj")) return "manifest"
  return null
}

type Versions = Map<string, string>

const packageJson = (text: string): Versions | null => {
  const versions: Versions = new Map()
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return null
  }
  if (typeof parsed !== "object" || parsed === null) return null
  for (const section of [
    "dependencies",
    "devDependencies",
    "peerDependencies",
    "optionalDependencies",
  ]) {
    const deps = (parsed as Record<string, unknown>)[section]
    if (typeof deps !== "object" || deps === null) continue
    for (const [name, version] of Object.entries(deps))
      if (!versions.has(name)) versions.set(name, String(version))
  }
  return versions
}

const requirements = (text: string): Versions => {
  const versions: Versions = new Map()
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\s+#.*$/, "").trim()
    if (line === "" || line.startsWith("#") || line.startsWith("-")) continue
    const match = /^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(.*)$/.exec(line)
    if (match?.[1] !== undefined)
      versions.set(match[1].toLowerCase(), (match[3] ?? "").trim() || "*")
  }
  return versions
}

const goMod = (text: string): Versions => {
  const versions: Versions = new Map()
  let inBlock = false
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\/\/.*$/, "").trim()
    if (line === "require (") {
      inBlock = true
      continue
    }
    if (inBlock && line === ")") {
      inBlock = false
      continue
    }
    const spec = inBlock ? line : /^require\s+(.+)$/.exec(line)?.[1]
    const [module, version] = spec?.split(/\s+/) ?? []
    if (module !== undefined && module !== "" && version !== undefined)
      versions.set(module, version)
  }
  return versions
}

const cargoToml = (text: string): Versions => {
  const versions: Versions = new Map()
  let inDeps = false
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\s+#.*$/, "").trim()
    const section = /^\[(.+)\]$/.exec(line)?.[1]
    if (section !== undefined) {
      inDeps = /(^|\.)(dev-|build-)?dependencies$/.test(section)
      continue
    }
    if (!inDeps) continue
    const entry = /^([A-Za-z0-9_-]+)\s*=\s*(.+)$/.exec(line)
    if (entry?.[1] === undefined || entry[2] === undefined) continue
    const value = entry[2]
    const version = /^"([^"]*)"$/.exec(value)?.[1] ?? /version\s*=\s*"([^"]*)"/.exec(value)?.[1]
    versions.set(entry[1], version ?? value)
  }
  return versions
}

const parserFor = (path: string): ((text: string) => Versions | null) | null => {
  const name = posix.basename(path)
  if (name === "package.json") return packageJson
  if (name === "go.mod") return goMod
  if (name === "Cargo.toml") return cargoToml
  if (/\.(txt|in)$/.test(name)) return requirements
  return null
}

/**
 * What changed in one dependency file between two versions of its text
 * (null: the file did not exist on that side).
 */
export const dependencyChanges = (
  path: string,
  before: string | null,
  after: string | null,
): Array<DependencyChange> => {
  const whole = [{ manifest: path, name: "*", from: null, to: null }]
  const parse = parserFor(path)
  if (parse === null) return whole
  const old = before === null ? new Map<string, string>() : parse(before)
  const next = after === null ? new Map<string, string>() : parse(after)
  if (old === null || next === null) return whole
  const changes: Array<DependencyChange> = []
  for (const name of new Set([...old.keys(), ...next.keys()])) {
    const from = old.get(name) ?? null
    const to = next.get(name) ?? null
    if (from !== to) changes.push({ manifest: path, name, from, to })
  }
  // Reformatting or script edits still touch a dependency file: keep the flag.
  return changes.length > 0 ? changes : whole
}
