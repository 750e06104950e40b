// The review job of the demo's CI, in the local bubblewrap sandbox: the PR's
// code (its tests, the linters) must not run on this host as root. A fresh
// sandbox (no network, unprivileged uid) clones the host-side checkout from a
// read-only bind, runs the Action's review mode from the committed bundle
// (bound read-only, with oxlint), and hands back the results file, the job
// summary and the outputs. The sandbox building blocks are the control
// plane's own (app/src/execution), used as they are.
import { chmod } from "node:fs/promises"
import { join } from "node:path"
import { Effect } from "effect"
import { decodeSyncWith, SandboxProfile } from "@patchplane/domain"
import { localWorkspaceRoot, makeLocalSandbox } from "../src/execution/local-sandbox.ts"

const root = join(import.meta.dirname, "../..")
const ACTION = "/opt/patchplane-action"
const MODULES = "/opt/patchplane-modules"
const SOURCE = "/opt/review-source"

export interface SandboxedReviewInput {
  /** The host checkout of the PR head (the sandbox clones it; it is not written). */
  readonly checkout: string
  /** Runner variables for the review job (GITHUB_*, INPUT_*), paths to be set here. */
  readonly env: Readonly<Record<string, string>>
  /** The pull_request event payload the job sees. */
  readonly event: unknown
  /** Host files to receive what the job wrote. */
  readonly resultsFile: string
  readonly summaryFile: string
  readonly outputFile: string
}

export interface SandboxedReviewResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

const profile = decodeSyncWith(
  SandboxProfile,
  "sandbox profile",
)({
  timeoutSeconds: 600,
  network: "none",
})

export const runReviewInSandbox = async (
  input: SandboxedReviewInput,
): Promise<SandboxedReviewResult> => {
  // The unprivileged sandbox uid reads the checkout through the bind.
  await chmod(input.checkout, 0o755)
  const program = Effect.gen(function* () {
    const sandbox = yield* makeLocalSandbox({
      readOnlyBinds: [
        { hostPath: join(root, "action/dist"), sandboxPath: ACTION },
        { hostPath: join(root, "node_modules"), sandboxPath: MODULES },
        { hostPath: input.checkout, sandboxPath: SOURCE },
      ],
    })
    const handle = yield* sandbox.create({ runId: "demo-review", profile })
    return yield* Effect.gen(function* () {
      const repo = yield* sandbox.checkout(handle, { url: SOURCE, path: "repo" })
      const runner = `${localWorkspaceRoot}/runner`
      yield* sandbox.writeFile(handle, `${runner}/event.json`, JSON.stringify(input.event))
      yield* sandbox.writeFile(handle, `${runner}/summary.md`, "")
      yield* sandbox.writeFile(handle, `${runner}/output.txt`, "")
      const results = `${runner}/artifact/results.json`
      const env: Record<string, string> = {
        ...input.env,
        GITHUB_WORKSPACE: repo.path,
        GITHUB_EVENT_PATH: `${runner}/event.json`,
        GITHUB_STEP_SUMMARY: `${runner}/summary.md`,
        GITHUB_OUTPUT: `${runner}/output.txt`,
        RUNNER_TEMP: runner,
        INPUT_MODE: "review",
        "INPUT_RESULTS-PATH": results,
        "INPUT_OXLINT-COMMAND": `${MODULES}/.bin/oxlint`,
      }
      // The runner keeps hyphens in input names (INPUT_TEST-COMMAND); the
      // sandbox takes only portable names, so `env` sets those.
      const portable = Object.entries(env).filter(([name]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      const hyphenated = Object.entries(env).filter(([name]) => name.includes("-"))
      const command = [
        "env",
        ...hyphenated.map(([name, value]) => `${name}=${value}`),
        "node",
        `${ACTION}/index.js`,
      ]
      const result = yield* sandbox.exec(handle, command, {
        cwd: repo.path,
        env: Object.fromEntries(portable),
      })
      if (result.exitCode === 0)
        yield* sandbox.download(handle, [{ path: results, hostPath: input.resultsFile }])
      yield* sandbox.download(handle, [
        { path: `${runner}/summary.md`, hostPath: input.summaryFile },
        { path: `${runner}/output.txt`, hostPath: input.outputFile },
      ])
      return { code: result.exitCode, stdout: result.stdout, stderr: result.stderr }
    }).pipe(Effect.ensuring(sandbox.destroy(handle).pipe(Effect.ignore)))
  })
  return Effect.runPromise(Effect.scoped(program))
}
