// The toolkit bits: inputs as the runner names them, workflow-command
// escaping, summary and outputs files, the OIDC token request, and where the
// run id and head commit come from.
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { eventHeadSha, InputError, readInputs, runIdFromEnv } from "../src/inputs.ts"
import { OidcUnavailable, requestIdToken } from "../src/oidc.ts"
import { reviewerEnv } from "../src/process.ts"
import { annotation, appendSummary, getInput, setOutput } from "../src/toolkit.ts"

const runId = "8f7c2a10-0000-4000-8000-000000000001"
let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pp-toolkit-"))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

describe("inputs", () => {
  it("reads INPUT_<NAME> with hyphens kept and spaces as underscores", () => {
    const env = { "INPUT_PATCHPLANE-URL": " https://pp.example/ ", INPUT_MY_INPUT: "x" }
    expect(getInput(env, "patchplane-url")).toBe("https://pp.example/")
    expect(getInput(env, "my input")).toBe("x")
    expect(getInput(env, "absent")).toBe("")
  })

  it("applies defaults and takes the run id from the head branch", () => {
    const inputs = readInputs({ GITHUB_BASE_REF: "main", GITHUB_HEAD_REF: `patchplane/${runId}` })
    expect(inputs).toMatchObject({
      patchplaneUrl: null,
      policyPath: ".github/patchplane.yml",
      reviewers: null,
      testCommand: "npm test",
      oxlintCommand: "npx --yes oxlint@1.94.0",
      baseRef: "main",
      timeoutSeconds: 600,
      runId,
      audience: "patchplane",
    })
    expect(runIdFromEnv({ GITHUB_REF_NAME: `patchplane/${runId}` })).toBe(runId)
    expect(runIdFromEnv({ GITHUB_HEAD_REF: "feature/x" })).toBeNull()
  })

  it("refuses unknown reviewers, bad timeouts and a missing base", () => {
    const env = { GITHUB_BASE_REF: "main" }
    expect(() => readInputs({ ...env, INPUT_REVIEWERS: "lint, style" })).toThrow(InputError)
    expect(readInputs({ ...env, INPUT_REVIEWERS: "tests lint" }).reviewers).toEqual([
      "lint",
      "tests",
    ])
    expect(() => readInputs({ ...env, "INPUT_TIMEOUT-SECONDS": "soon" })).toThrow(/timeout-seconds/)
    expect(() => readInputs({})).toThrow(/base-ref/)
  })

  it("reads the pull request's head commit from the event payload", async () => {
    const path = join(dir, "event.json")
    await writeFile(path, JSON.stringify({ pull_request: { head: { sha: "f".repeat(40) } } }))
    expect(eventHeadSha({ GITHUB_EVENT_PATH: path })).toBe("f".repeat(40))
    expect(eventHeadSha({ GITHUB_EVENT_PATH: join(dir, "missing.json") })).toBeUndefined()
  })
})

describe("workflow commands and files", () => {
  it("escapes annotation data and properties", () => {
    expect(annotation("error", "50% done\nnext", { file: "a,b:c.js", line: 3, title: "T" })).toBe(
      "::error file=a%2Cb%3Ac.js,line=3,title=T::50%25 done%0Anext",
    )
    expect(annotation("warning", "plain")).toBe("::warning::plain")
  })

  it("appends to the job summary and writes outputs in heredoc form", async () => {
    const summary = join(dir, "summary.md")
    const output = join(dir, "output.txt")
    await writeFile(summary, "")
    await writeFile(output, "")
    const env = { GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: output }
    appendSummary(env, "## one")
    appendSummary(env, "two")
    setOutput(env, "decision", "rejected\nwith a newline")
    expect(await readFile(summary, "utf8")).toBe("## one\ntwo\n")
    expect(await readFile(output, "utf8")).toMatch(
      /^decision<<(ghadelimiter_[\w-]+)\nrejected\nwith a newline\n\1\n$/,
    )
  })

  it("withholds credentials, inputs and command files from reviewer processes", () => {
    const env = reviewerEnv({
      PATH: "/bin",
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: "secret",
      ACTIONS_ID_TOKEN_REQUEST_URL: "http://x",
      ACTIONS_RUNTIME_TOKEN: "secret",
      GITHUB_TOKEN: "secret",
      GITHUB_OUTPUT: "/tmp/o",
      "INPUT_PATCHPLANE-URL": "http://pp",
    })
    expect(env).toEqual({ PATH: "/bin", CI: "true", NO_COLOR: "1", FORCE_COLOR: "0" })
  })
})

describe("the OIDC token request", () => {
  it("asks the runner's endpoint for the audience with its bearer token", async () => {
    const seen: string[] = []
    const server = createServer((req, res) => {
      seen.push(`${req.headers.authorization} ${req.url}`)
      res.writeHead(200, { "content-type": "application/json" })
      res.end(JSON.stringify({ count: 1, value: "the.jwt.token" }))
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/idtoken?api-version=2.0`
    try {
      const token = await requestIdToken(
        { ACTIONS_ID_TOKEN_REQUEST_URL: url, ACTIONS_ID_TOKEN_REQUEST_TOKEN: "req" },
        "patchplane",
      )
      expect(token).toBe("the.jwt.token")
      expect(seen).toEqual(["bearer req /idtoken?api-version=2.0&audience=patchplane"])
    } finally {
      server.close()
    }
  })

  it("says which permission is missing when the runner offers no token", async () => {
    await expect(requestIdToken({}, "patchplane")).rejects.toThrow(OidcUnavailable)
    await expect(requestIdToken({}, "patchplane")).rejects.toThrow(/id-token: write/)
  })
})
