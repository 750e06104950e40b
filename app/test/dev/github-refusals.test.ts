// The stand-in refuses what GitHub refuses (dev/github-stand-in/refusals.ts)
// and judges every exchange by GitHub's published description
// (conformance.ts): each case is driven over real HTTP and the real git CLI.
import { spawn } from "node:child_process"
import { generateKeyPairSync } from "node:crypto"
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Redacted } from "effect"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startGitHubStandIn, type GitHubStandIn } from "../../dev/github-stand-in/index.ts"
import { gitAuthEnv } from "../../src/execution/git-credentials.ts"
import { makeInstallationBrokerLive } from "../../src/github/installation-token.ts"
import { createProbot, type Probot } from "../../src/github/probot.ts"
import { createLogger } from "../../src/platform/logger.ts"
import examples from "@octokit/webhooks-examples" with { type: "json" }

const keys = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
})

let gh: GitHubStandIn
let probot: Probot
let work: string
let headSha: string

beforeAll(async () => {
  gh = await startGitHubStandIn({ appId: 4242, appPublicKey: keys.publicKey })
  probot = createProbot({
    appId: 4242,
    privateKey: keys.privateKey,
    webhookSecret: "stand-in-secret",
    apiUrl: gh.apiUrl,
    retries: 0,
    retryBaseMs: 5,
    maxRateLimitWaitSeconds: 1,
    throttle: false,
    log: createLogger("silent"),
  })
  work = await mkdtemp(join(tmpdir(), "stand-in-refusals-"))
  headSha = (await gh.createRepository("acme/widgets", { installationId: 77 })).headSha
  await gh.createRepository("acme/private-free", { installationId: 77, plan: "free" })
})
afterAll(async () => {
  await gh?.close()
  await rm(work, { recursive: true, force: true })
})

/** A push token as PatchPlane mints it: one repository, contents (and workflows when asked). */
const mint = async (
  repository: string,
  permissions: { readonly contents: "read" | "write"; readonly workflows?: "write" },
) =>
  Redacted.value(
    (
      await Effect.runPromise(
        makeInstallationBrokerLive(probot, { apiUrl: gh.apiUrl }).mintRepositoryToken({
          installationId: 77,
          repository,
          permissions,
        }),
      )
    ).token,
  )

/** A token with every permission the installation grants, for the REST cases. */
const installationToken = async () => {
  const app = (await probot.auth()) as Awaited<ReturnType<Probot["auth"]>>
  return (await app.rest.apps.createInstallationAccessToken({ installation_id: 77 })).data.token
}

const api = async (token: string, method: string, path: string, body?: unknown) => {
  const res = await fetch(`${gh.apiUrl}${path}`, {
    method,
    headers: { authorization: `token ${token}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return { status: res.status, body: (await res.json()) as any }
}

const git = (cwd: string, args: ReadonlyArray<string>, token: string) =>
  new Promise<{ code: number; output: string }>((resolve) => {
    const child = spawn("git", args, {
      cwd,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: work,
        GIT_CONFIG_NOSYSTEM: "1",
        GIT_TERMINAL_PROMPT: "0",
        GIT_AUTHOR_NAME: "Dev",
        GIT_AUTHOR_EMAIL: "dev@example.com",
        GIT_COMMITTER_NAME: "Dev",
        GIT_COMMITTER_EMAIL: "dev@example.com",
        ...gitAuthEnv(gh.webUrl, { username: "x-access-token", token: Redacted.make(token) }),
      },
    })
    let output = ""
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()))
    child.on("close", (code) => resolve({ code: code ?? -1, output }))
  })

describe("the workflow-file push rule", () => {
  it("refuses a contents-only token that touches .github/workflows/, and lets a workflows token push", async () => {
    const contentsOnly = await mint("acme/widgets", { contents: "write" })
    const dir = join(work, "clone")
    expect(
      (await git(work, ["clone", "-q", gh.gitUrl("acme/widgets"), dir], contentsOnly)).code,
    ).toBe(0)
    await mkdir(join(dir, ".github", "workflows"), { recursive: true })
    await writeFile(join(dir, ".github", "workflows", "ci.yml"), "on: push\n")
    await git(dir, ["checkout", "-q", "-b", "ci"], contentsOnly)
    await git(dir, ["add", "-A"], contentsOnly)
    await git(dir, ["commit", "-q", "-m", "Add CI"], contentsOnly)

    const refused = await git(dir, ["push", "origin", "ci"], contentsOnly)
    expect(refused.code).not.toBe(0)
    expect(refused.output).toContain("[remote rejected]")
    expect(refused.output).toContain(
      "refusing to allow a GitHub App to create or update workflow `.github/workflows/ci.yml` without `workflows` permission",
    )
    // Nothing landed.
    expect((await api(contentsOnly, "GET", "/repos/acme/widgets/branches/ci")).status).toBe(404)

    const withWorkflows = await mint("acme/widgets", { contents: "write", workflows: "write" })
    expect((await git(dir, ["push", "origin", "ci"], withWorkflows)).code).toBe(0)

    // A later push that leaves workflows alone needs no workflows permission.
    await writeFile(join(dir, "notes.md"), "notes\n")
    await git(dir, ["add", "-A"], contentsOnly)
    await git(dir, ["commit", "-q", "-m", "Notes"], contentsOnly)
    expect((await git(dir, ["push", "origin", "ci"], contentsOnly)).code).toBe(0)
  }, 60_000)
})

describe("REST refusals", () => {
  it("refuses draft pull requests where the plan has none, and opens ready ones", async () => {
    const token = await installationToken()
    await gh.commitFiles("acme/private-free", {
      branch: "topic",
      files: { "a.txt": "a\n" },
      message: "a\n",
      from: "main",
    })
    const draft = await api(token, "POST", "/repos/acme/private-free/pulls", {
      title: "t",
      head: "topic",
      base: "main",
      draft: true,
    })
    expect(draft.status).toBe(422)
    expect(draft.body.errors[0].message).toBe(
      "Draft pull requests are not supported in this repository.",
    )
    const ready = await api(token, "POST", "/repos/acme/private-free/pulls", {
      title: "t",
      head: "topic",
      base: "main",
    })
    expect(ready.status).toBe(201)
    expect(ready.body.draft).toBe(false)
  })

  it("keeps a completed check run's conclusion; a new run on the head is shown instead", async () => {
    const token = await installationToken()
    const first = await api(token, "POST", "/repos/acme/widgets/check-runs", {
      name: "PatchPlane",
      head_sha: headSha,
      conclusion: "action_required",
      output: { title: "Needs a human", summary: "waiting" },
    })
    expect(first.status).toBe(201)
    const reopened = await api(token, "PATCH", `/repos/acme/widgets/check-runs/${first.body.id}`, {
      status: "completed",
      conclusion: "success",
    })
    expect(reopened.status).toBe(422)
    // The output of a completed run may still change.
    const retitled = await api(token, "PATCH", `/repos/acme/widgets/check-runs/${first.body.id}`, {
      output: { title: "Superseded", summary: "see the newer run" },
    })
    expect(retitled.status).toBe(200)
    expect(retitled.body.conclusion).toBe("action_required")
    const second = await api(token, "POST", "/repos/acme/widgets/check-runs", {
      name: "PatchPlane",
      head_sha: headSha,
      conclusion: "success",
      output: { title: "Approved", summary: "approved" },
    })
    expect(second.status).toBe(201)
    const listed = await api(token, "GET", `/repos/acme/widgets/commits/${headSha}/check-runs`)
    expect(listed.body.check_runs.map((r: any) => r.conclusion)).toEqual(["success"])
  })

  it("refuses bodies over 65,536 characters, check output over 65,535 and more than 50 annotations", async () => {
    const token = await installationToken()
    const issue = await api(token, "POST", "/repos/acme/widgets/issues", { title: "limits" })
    const comments = `/repos/acme/widgets/issues/${issue.body.number}/comments`
    expect((await api(token, "POST", comments, { body: "x".repeat(65_536) })).status).toBe(201)
    const long = await api(token, "POST", comments, { body: "x".repeat(65_537) })
    expect(long.status).toBe(422)
    expect(long.body.errors[0].message).toMatch(/maximum is 65536 characters/)

    const check = (output: Record<string, unknown>) =>
      api(token, "POST", "/repos/acme/widgets/check-runs", {
        name: "limits",
        head_sha: headSha,
        output: { title: "t", ...output },
      })
    expect((await check({ summary: "s".repeat(65_535) })).status).toBe(201)
    const summary = await check({ summary: "s".repeat(65_536) })
    expect(summary.status).toBe(422)
    expect(summary.body.message).toMatch(/Only 65535 characters are allowed; 65536 were supplied/)
    expect((await check({ summary: "s", text: "t".repeat(65_536) })).status).toBe(422)
    const annotation = {
      path: "README.md",
      start_line: 1,
      end_line: 1,
      annotation_level: "warning",
      message: "m",
    }
    expect(
      (await check({ summary: "s", annotations: Array.from({ length: 50 }, () => annotation) }))
        .status,
    ).toBe(201)
    expect(
      (await check({ summary: "s", annotations: Array.from({ length: 51 }, () => annotation) }))
        .status,
    ).toBe(422)
    // The check-output limits are in GitHub's description: each refusal is also
    // recorded as a request GitHub would refuse (an app sending it is wrong).
    expect(gh.takeMismatches().map((m) => m.kind)).toEqual(["request", "request", "request"])
  })
})

describe("conformance with GitHub's description", () => {
  it("refuses and records a request body GitHub's description does not allow", async () => {
    const token = await installationToken()
    const bad = await api(token, "POST", "/repos/acme/widgets/check-runs", {
      name: "x",
      head_sha: headSha,
      status: "finished",
    })
    expect(bad.status).toBe(422)
    const taken = gh.takeMismatches()
    expect(taken).toHaveLength(1)
    expect(taken[0]).toMatchObject({ kind: "request", method: "POST" })
    expect(taken[0]?.detail).toMatch(/\/status must be equal to one of the allowed values/)
  })

  it("answers a GraphQL document GitHub's schema rejects with errors, and records it", async () => {
    const token = await installationToken()
    const res = await fetch(`${gh.webUrl}/api/graphql`, {
      method: "POST",
      headers: { authorization: `bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ query: "mutation { markPullRequestReady(input: {}) { id } }" }),
    })
    expect(res.status).toBe(200)
    expect(((await res.json()) as { errors: unknown[] }).errors.length).toBeGreaterThan(0)
    const taken = gh.takeMismatches()
    expect(taken.map((m) => m.kind)).toEqual(["graphql"])
  })

  it("records a webhook payload GitHub's webhook schema does not describe, and passes a real one", async () => {
    const receiver = createServer((req, res) => {
      req.resume()
      req.on("end", () => res.writeHead(202).end())
    })
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve))
    try {
      const { port } = receiver.address() as AddressInfo
      gh.setWebhook({ url: `http://127.0.0.1:${port}/`, secret: "s" })
      const group = (
        examples as unknown as ReadonlyArray<{
          name: string
          examples: ReadonlyArray<Record<string, unknown>>
        }>
      ).find((g) => g.name === "issue_comment")
      // The newest recorded delivery (the oldest predate fields GitHub now always sends).
      const real = group?.examples.findLast((e) => e.action === "created") ?? {}
      await gh.deliverWebhook({ event: "issue_comment", payload: real })
      expect(gh.takeMismatches()).toEqual([])
      const { comment: _dropped, ...withoutComment } = real
      await gh.deliverWebhook({ event: "issue_comment", payload: withoutComment })
      const taken = gh.takeMismatches()
      expect(taken.map((m) => [m.kind, m.path])).toEqual([
        ["webhook", "webhook issue_comment.created"],
      ])
      expect(taken[0]?.detail).toMatch(/issue-comment-created: .*comment/)
    } finally {
      receiver.close()
    }
  })
})
