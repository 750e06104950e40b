// `npm run check:layers`: the package boundaries, checked on import specifiers
// so the shape holds without anyone remembering it. It fails, listing each
// offending import, when
// - a workspace imports a workspace it may not (ALLOWED below: the domain
//   imports nothing of ours, db nothing of app/action/dashboard, the
//   dashboard no app internals, the Action no app/src),
// - a workspace reaches into another by a relative path instead of its
//   package name, or imports one it does not declare in package.json,
// - production code imports a workspace's test helpers (`@patchplane/x/testing`)
//   or test support by path (a file under a test/ folder, e.g. the test
//   layers in app/test/support/),
// - a vendor SDK is imported outside its one wrapper (VENDOR_WRAPPERS),
// - a folder of app/src imports one of app/src it is given instead (APP_LAYERS),
// - the workspaces' dependencies (declared or imported) form a cycle.
// Tests (test/ folders, *.test.ts) and benchmarks (bench/) may span packages
// and use SDKs directly (they measure or drive the whole stack); dev/
// (stand-ins, the demo) may use SDKs directly but keeps the package rules. Nothing here runs the code: specifiers are read with
// TypeScript's preprocessor, plus import.meta.resolve / require.resolve.
import { readdirSync, readFileSync } from "node:fs"
import { dirname, join, relative, resolve, sep } from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"

/** Workspaces (by directory) each workspace may import. Anything else of ours is refused. */
export const ALLOWED: Readonly<Record<string, ReadonlyArray<string>>> = {
  domain: [],
  policy: ["domain"],
  db: ["domain"],
  action: ["domain", "policy"],
  dashboard: ["domain"],
  // The control plane hosts the dashboard through its public exports (server.ts, build.ts).
  app: ["domain", "policy", "db", "dashboard"],
}

/**
 * Folders of app/src and the folders of app/src they may not import: a layer
 * is handed what it needs from these (wired in main/), never imports it.
 */
export const APP_LAYERS: Readonly<Record<string, ReadonlyArray<string>>> = {
  // Intake writes to GitHub through the service it is given (intake/github-writes.ts).
  intake: ["publication"],
}

/** Each vendor SDK and the only files (relative to the repository root) that import it. */
export const VENDOR_WRAPPERS: ReadonlyArray<{
  readonly sdk: RegExp
  readonly name: string
  readonly wrappers: ReadonlyArray<string>
}> = [
  {
    sdk: /^@dbos-inc\/dbos-sdk(\/|$)/,
    name: "@dbos-inc/dbos-sdk",
    wrappers: ["app/src/orchestration/dbos-engine.ts"],
  },
  { sdk: /^probot(\/|$)/, name: "probot", wrappers: ["app/src/github/probot.ts"] },
  {
    sdk: /^@daytonaio\/sdk(\/|$)/,
    name: "@daytonaio/sdk",
    wrappers: ["app/src/execution/daytona-sandbox.ts"],
  },
  {
    sdk: /^@mariozechner\/pi-/,
    name: "@mariozechner/pi-*",
    wrappers: ["app/src/runtime/pi-launch.ts"],
  },
  {
    sdk: /^@anthropic-ai\/claude-code/,
    name: "@anthropic-ai/claude-code",
    wrappers: ["app/src/runtime/claude-launch.ts"],
  },
  {
    sdk: /^@workos-inc\//,
    name: "@workos-inc/*",
    wrappers: ["app/src/http/auth/workos-session.ts"],
  },
]

/**
 * Known leaks, each waiting for a bigger move: `file` imports `specifier`
 * despite `rule`. Keep this list short; every entry says why it is still here.
 */
export const KNOWN_EXCEPTIONS: ReadonlyArray<{
  readonly file: string
  readonly specifier: string
  readonly reason: string
}> = []

export interface Workspace {
  /** Directory relative to the repository root, e.g. "app". */
  readonly dir: string
  /** Package name, e.g. "@patchplane/app". */
  readonly name: string
  /** Names of everything in dependencies and devDependencies. */
  readonly declared: ReadonlyArray<string>
}

export interface SourceFile {
  /** Relative to the repository root, "/"-separated. */
  readonly path: string
  readonly text: string
}

export interface Violation {
  readonly rule: "boundary" | "by-name" | "undeclared" | "testing" | "vendor" | "layer" | "cycle"
  readonly file: string
  readonly specifier: string
  readonly message: string
}

const isTestCode = (path: string): boolean =>
  /(^|\/)test\//.test(path) || /\.test\.tsx?$/.test(path)
const spansPackages = (path: string): boolean => isTestCode(path) || /(^|\/)bench\//.test(path)
const mayUseSdks = (path: string): boolean => spansPackages(path) || /(^|\/)dev\//.test(path)

/** The folder of app/src a path is in ("intake" for app/src/intake/…), or undefined. */
const appFolderOf = (path: string): string | undefined => /^app\/src\/([^/]+)\//.exec(path)?.[1]

const dynamicResolve = /(?:import\.meta\.resolve|require\.resolve)\(\s*["'`]([^"'`$]+)["'`]/g

/** Every module specifier a file names: imports, re-exports, import(), require() and resolves. */
export const specifiersOf = (text: string): Array<string> => {
  const found = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName)
  for (const match of text.matchAll(dynamicResolve))
    if (match[1] !== undefined) found.push(match[1])
  return [...new Set(found)]
}

const workspaceOfPath = (path: string, workspaces: ReadonlyArray<Workspace>) =>
  workspaces.find((w) => path === w.dir || path.startsWith(`${w.dir}/`))

const workspaceOfName = (specifier: string, workspaces: ReadonlyArray<Workspace>) =>
  workspaces.find((w) => specifier === w.name || specifier.startsWith(`${w.name}/`))

/** The cycles in a dependency graph, each as its path (first node repeated at the end). */
export const findCycles = (graph: ReadonlyMap<string, ReadonlySet<string>>): Array<string[]> => {
  const cycles: Array<string[]> = []
  const seen = new Set<string>()
  const onStack: Array<string> = []
  const reported = new Set<string>()
  const visit = (node: string) => {
    const at = onStack.indexOf(node)
    if (at !== -1) {
      // Report each cycle once, from its first node in sort order.
      const loop = onStack.slice(at)
      const start = loop.indexOf(loop.toSorted()[0] ?? node)
      const rotated = [...loop.slice(start), ...loop.slice(0, start)]
      const key = rotated.join(" ")
      if (!reported.has(key)) {
        reported.add(key)
        cycles.push([...rotated, rotated[0] ?? node])
      }
      return
    }
    if (seen.has(node)) return
    seen.add(node)
    onStack.push(node)
    for (const next of graph.get(node) ?? []) visit(next)
    onStack.pop()
  }
  for (const node of [...graph.keys()].toSorted()) visit(node)
  return cycles
}

export const checkLayers = (
  workspaces: ReadonlyArray<Workspace>,
  files: ReadonlyArray<SourceFile>,
  exceptions: typeof KNOWN_EXCEPTIONS = KNOWN_EXCEPTIONS,
): Array<Violation> => {
  const violations: Array<Violation> = []
  const graph = new Map<string, Set<string>>(workspaces.map((w) => [w.dir, new Set<string>()]))
  for (const w of workspaces)
    for (const dep of w.declared) {
      const target = workspaceOfName(dep, workspaces)
      if (target !== undefined) graph.get(w.dir)?.add(target.dir)
    }

  for (const file of files) {
    const from = workspaceOfPath(file.path, workspaces)
    if (from === undefined) continue
    const spans = spansPackages(file.path)
    const report = (rule: Violation["rule"], specifier: string, message: string) => {
      const excused = exceptions.some((e) => e.file === file.path && e.specifier === specifier)
      if (!excused) violations.push({ rule, file: file.path, specifier, message })
    }
    for (const specifier of specifiersOf(file.text)) {
      const relativePath = specifier.startsWith(".")
      const resolved = relativePath ? join(dirname(file.path), specifier).split(sep).join("/") : ""
      const target = relativePath
        ? workspaceOfPath(resolved, workspaces)
        : workspaceOfName(specifier, workspaces)

      if (relativePath && !spans && isTestCode(resolved))
        report("testing", specifier, `production code does not import test support`)

      if (target !== undefined && target.dir !== from.dir && !spans) {
        graph.get(from.dir)?.add(target.dir)
        const allowed = ALLOWED[from.dir] ?? []
        if (!allowed.includes(target.dir))
          report(
            "boundary",
            specifier,
            allowed.length === 0
              ? `${from.dir}/ imports nothing of ours, but this reaches ${target.dir}/`
              : `${from.dir}/ may import only ${allowed.join(", ")}; not ${target.dir}/`,
          )
        else if (relativePath)
          report("by-name", specifier, `import ${target.name} by its package name, not a path`)
        else if (specifier.endsWith("/testing"))
          report("testing", specifier, `production code does not import test helpers`)
        else if (!from.declared.includes(target.name))
          report(
            "undeclared",
            specifier,
            `${target.name} is not declared in ${from.dir}/package.json`,
          )
      }

      const folder = appFolderOf(file.path)
      if (folder !== undefined && relativePath && !spans) {
        const reached = appFolderOf(join(dirname(file.path), specifier).split(sep).join("/"))
        if (reached !== undefined && (APP_LAYERS[folder] ?? []).includes(reached))
          report(
            "layer",
            specifier,
            `app/src/${folder}/ does not import app/src/${reached}/; it is given what it needs (main/ wires it)`,
          )
      }

      if (target === undefined && !relativePath && !mayUseSdks(file.path)) {
        const vendor = VENDOR_WRAPPERS.find((v) => v.sdk.test(specifier))
        if (vendor !== undefined && !vendor.wrappers.includes(file.path))
          report(
            "vendor",
            specifier,
            `${vendor.name} is imported only by ${vendor.wrappers.join(", ")}; go through it`,
          )
      }
    }
  }

  for (const cycle of findCycles(graph))
    violations.push({
      rule: "cycle",
      file: `${cycle[0]}/package.json`,
      specifier: "",
      message: `workspace dependency cycle: ${cycle.join(" → ")}`,
    })
  return violations
}

const SOURCE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/
const SKIPPED_DIRS = new Set(["node_modules", "dist", ".next"])

const sourceFiles = (root: string, dir: string): Array<SourceFile> =>
  readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`
    if (entry.isDirectory())
      return SKIPPED_DIRS.has(entry.name) || entry.name.startsWith(".")
        ? []
        : sourceFiles(root, path)
    return entry.isFile() && SOURCE.test(entry.name)
      ? [{ path, text: readFileSync(join(root, path), "utf8") }]
      : []
  })

const readJson = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>

/** The repository as the checker sees it: every workspace and its source files. */
export const loadRepository = (
  root: string,
): { workspaces: Array<Workspace>; files: Array<SourceFile> } => {
  const dirs = readJson(join(root, "package.json")).workspaces as Array<string>
  const workspaces = dirs.map((dir): Workspace => {
    const manifest = readJson(join(root, dir, "package.json"))
    const names = (field: string) => Object.keys((manifest[field] ?? {}) as object)
    return {
      dir,
      name: manifest.name as string,
      declared: [...names("dependencies"), ...names("devDependencies")],
    }
  })
  return { workspaces, files: dirs.flatMap((dir) => sourceFiles(root, dir)) }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..")
  const { workspaces, files } = loadRepository(root)
  const violations = checkLayers(workspaces, files)
  const stale = KNOWN_EXCEPTIONS.filter(
    (e) => !files.some((f) => f.path === e.file && specifiersOf(f.text).includes(e.specifier)),
  )
  for (const e of stale)
    console.error(`check:layers: known exception no longer needed: ${e.file} → ${e.specifier}`)
  if (violations.length > 0) {
    console.error(`check:layers: ${violations.length} import(s) cross a boundary:`)
    for (const v of violations)
      console.error(
        `  ${relative(root, join(root, v.file))}${v.specifier === "" ? "" : ` → "${v.specifier}"`}: ${v.message} [${v.rule}]`,
      )
  }
  if (violations.length > 0 || stale.length > 0) process.exit(1)
  console.log(
    `check:layers: ${files.length} files in ${workspaces.length} workspaces, no boundary crossed`,
  )
}
