// The GitHub stand-in, driven the way PatchPlane drives GitHub: Probot's App
// auth and Octokit against its /api/v3, PatchPlane's own GitHub service,
// token broker and dashboard reads, and the real git CLI over smart HTTP.
import { spawn } from "node:child_process"
import { createPrivateKey, generateKeyPairSync, sign } from "node:crypto"
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Redacted } from "effect"
import examples from "@octokit/webhooks-examples" with { type: "json" }
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  startGitHubStandIn,
  sendWebhook,
  type GitHubStandIn,
} from "../../dev/github-stand-in/index.ts"
import { gitAuthEnv } from "../../src/execution/git-credentials.ts"
import { makeGitHubLive, type RepoRef } from "../../src/github/github-service.ts"
import { makeInstallationBrokerLive } from "../../src/github/installation-token.ts"
import {
  createProbot,
  verifySignature,
  type Octokit,
  type Probot,
} from "../../src/github/probot.ts"
import { createLogger } from "../../src/platform/logger.ts"
import { createDashboardGitHub } from "../../src/github/dashboard-github.ts"

const keys = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
})

let gh: GitHubStandIn
let probot: Probot
let work: string
let widgets: { readonly installationId: number; readonly headSha: string }

const makeProbot = (apiUrl: string, privateKey = keys.privateKey) =>
  createProbot({
    appId: 4242,
    privateKey,
    webhookSecret: "stand-in-secret",
    apiUrl,
    retries: 1,
    retryBaseMs: 5,
    maxRateLimitWaitSeconds: 2,
    throttle: false,
    log: createLogger("silent"),
  })

beforeAll(async () => {
  gh = await startGitHubStandIn({ appId: 4242, appPublicKey: keys.publicKey })
  probot = makeProbot(gh.apiUrl)
  work = await mkdtemp(join(tmpdir(), "stand-in-test-"))
  widgets = await gh.createRepository("acme/widgets", {
    installationId: 77,
    files: { "README.md": "# widgets\n", "src/app.js": "export const answer = 41\n" },
  })
  await gh.createRepository("acme/gadgets", { installationId: 77 })
  await gh.createRepository("other/thing", { installationId: 88 })
})
afterAll(async () => {
  await gh.close()
  await rm(work, { recursive: true, force: true })
})

const ref: RepoRef = { installationId: 77, owner: "acme", repo: "widgets" }
const github = () => makeGitHubLive(probot)
const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)

const mint = async (repository: string, contents: "read" | "write") =>
  Redacted.value(
    (
      await run(
        makeInstallationBrokerLive(probot, { apiUrl: gh.apiUrl }).mintRepositoryToken({
          installationId: 77,
          repository,
          permissions: { contents },
        }),
      )
    ).token,
  )

/** A raw call with an installation token, for what Octokit would hide. */
const api = async (token: string | null, method: string, path: string, body?: unknown) => {
  const res = await fetch(`${gh.apiUrl}${path}`, {
    method,
    headers: {
      ...(token === null ? {} : { authorization: `token ${token}` }),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await res.text()
  return {
    status: res.status,
    headers: res.headers,
    body: text === "" ? null : (JSON.parse(text) as any),
  }
}

/** The real git CLI, authenticated like PatchPlane does (an extraheader, never in the URL). */
const git = (cwd: string, args: ReadonlyArray<string>, token?: string) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
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
        ...(token === undefined
          ? {}
          : gitAuthEnv(gh.webUrl, { username: "x-access-token", token: Redacted.make(token) })),
      },
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    child.on("close", (code) => resolve({ code: code ?? -1, stdout: stdout.trim(), stderr }))
  })

const mustGit = async (cwd: string, args: ReadonlyArray<string>, token?: string) => {
  const result = await git(cwd, args, token)
  if (result.code !== 0) throw new Error(`git ${args.join(" ")}: ${result.stderr}`)
  return result.stdout
}

let clones = 0
const clone = async (fullName: string, token: string) => {
  const dir = join(work, `clone-${++clones}`)
  await mustGit(work, ["clone", "--quiet", gh.gitUrl(fullName), dir], token)
  return dir
}

/** Pushes a branch with one changed file through git over HTTP; returns its sha. */
const pushBranch = async (branch: string, files: Record<string, string>, from = "main") => {
  const token = await mint("acme/widgets", "write")
  const dir = await clone("acme/widgets", token)
  await mustGit(dir, ["checkout", "--quiet", "-b", branch, `origin/${from}`])
  for (const [path, content] of Object.entries(files)) await writeFile(join(dir, path), content)
  await mustGit(dir, ["commit", "--quiet", "-am", `change on ${branch}`])
  await mustGit(dir, ["push", "--quiet", "origin", `HEAD:refs/heads/${branch}`], token)
  return mustGit(dir, ["rev-parse", "HEAD"])
}

const jwtPart = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")

const appOctokit = async () => (await probot.auth()) as Octokit
const installationOctokit = async () => (await probot.auth(77)) as Octokit

describe("App and installation auth", () => {
  it("mints a token for one repository and one permission, which sees only that repository", async () => {
    const token = await mint("acme/widgets", "read")
    expect(token).toMatch(/^ghs_/)
    const [minted] = gh
      .requestsMatching("POST", /^\/app\/installations\/77\/access_tokens$/)
      .slice(-1)
    expect(minted).toMatchObject({
      status: 201,
      body: { repositories: ["widgets"], permissions: { contents: "read", metadata: "read" } },
    })
    expect((await api(token, "GET", "/repos/acme/widgets")).body).toMatchObject({
      full_name: "acme/widgets",
      default_branch: "main",
      private: true,
      owner: { login: "acme" },
      html_url: `${gh.webUrl}/acme/widgets`,
    })
    const file = await api(token, "GET", "/repos/acme/widgets/contents/src/app.js")
    expect(Buffer.from(file.body.content, "base64").toString()).toBe("export const answer = 41\n")
    // Same installation, but not in the token's repositories; another installation's repo.
    expect((await api(token, "GET", "/repos/acme/gadgets")).status).toBe(404)
    expect((await api(token, "GET", "/repos/other/thing")).status).toBe(404)
    // Contents only: no issues permission.
    const comment = await api(token, "POST", "/repos/acme/widgets/issues/1/comments", { body: "x" })
    expect(comment.status).toBe(403)
    expect(comment.body.message).toBe("Resource not accessible by integration")
    const listed = await api(token, "GET", "/installation/repositories")
    expect(listed.body.repositories.map((r: { full_name: string }) => r.full_name)).toEqual([
      "acme/widgets",
    ])
  })

  it("answers the App's own endpoints only for a JWT signed with the App's key", async () => {
    const octokit = await appOctokit()
    expect((await octokit.rest.apps.getAuthenticated()).data).toMatchObject({
      id: 4242,
      slug: "patchplane",
    })
    const installation = (await octokit.rest.apps.getInstallation({ installation_id: 77 })).data
    expect(installation.account).toMatchObject({ login: "acme" })
    expect((await octokit.rest.apps.listInstallations()).data.map((i) => i.id).toSorted()).toEqual([
      77, 88,
    ])
    // Another key, or the right key with a wrong App id, is refused like GitHub refuses it.
    const stranger = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      privateKeyEncoding: { type: "pkcs1", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    })
    const strangerOctokit = (await makeProbot(gh.apiUrl, stranger.privateKey).auth(77)) as Octokit
    await expect(
      strangerOctokit.rest.repos.get({ owner: "acme", repo: "widgets" }),
    ).rejects.toMatchObject({
      status: 401,
    })
    const now = Math.floor(Date.now() / 1000)
    const unsigned = `${jwtPart({ alg: "RS256", typ: "JWT" })}.${jwtPart({ iss: 9999, iat: now - 30, exp: now + 500 })}`
    const jwt = `${unsigned}.${sign("RSA-SHA256", Buffer.from(unsigned), createPrivateKey(keys.privateKey)).toString("base64url")}`
    const res = await fetch(`${gh.apiUrl}/app`, { headers: { authorization: `Bearer ${jwt}` } })
    expect(res.status).toBe(401)
    expect(((await res.json()) as { message: string }).message).toMatch(/Issuer/)
    // An installation token is no App credential.
    expect(
      (await api(await mint("acme/widgets", "read"), "GET", "/app/installations")).status,
    ).toBe(401)
  })

  it("refuses unknown and expired tokens with 401 Bad credentials", async () => {
    expect((await api("ghs_made_up", "GET", "/repos/acme/widgets")).body.message).toBe(
      "Bad credentials",
    )
    const token = await mint("acme/widgets", "read")
    expect((await api(token, "GET", "/repos/acme/widgets")).status).toBe(200)
    gh.expireTokens()
    expect((await api(token, "GET", "/repos/acme/widgets")).status).toBe(401)
    // A token the installation cannot grant is refused outright.
    const octokit = await appOctokit()
    await expect(
      octokit.rest.apps.createInstallationAccessToken({
        installation_id: 77,
        permissions: { administration: "write" },
      }),
    ).rejects.toMatchObject({ status: 422 })
  })
  it("revokes a token through the live broker: afterwards it gets 401 on REST and on git", async () => {
    const broker = makeInstallationBrokerLive(probot, { apiUrl: gh.apiUrl })
    const minted = await run(
      broker.mintRepositoryToken({
        installationId: 77,
        repository: "acme/widgets",
        permissions: { contents: "write" },
      }),
    )
    const token = Redacted.value(minted.token)
    expect((await api(token, "GET", "/repos/acme/widgets")).status).toBe(200)
    expect((await git(work, ["ls-remote", gh.gitUrl("acme/widgets")], token)).code).toBe(0)
    await run(broker.revokeToken(minted.token))
    const revocation = gh.requests.findLast((r) => r.path === "/installation/token")
    expect(revocation).toMatchObject({ method: "DELETE", status: 204 })
    const after = await api(token, "GET", "/repos/acme/widgets")
    expect(after).toMatchObject({ status: 401, body: { message: "Bad credentials" } })
    const fetched = await git(work, ["ls-remote", gh.gitUrl("acme/widgets")], token)
    expect(fetched.code).not.toBe(0)
    // git was answered 401 with a Basic challenge, so it wanted a new password.
    expect(fetched.stderr).toMatch(/could not read Username|Authentication failed/)
    const refs = gh.requests.findLast((r) => r.path.includes("/info/refs"))
    expect(refs?.status).toBe(401)
    // Revoking again (a token already dead) answers 401 and is only logged, never thrown.
    await run(broker.revokeToken(minted.token))
  })
})

describe("git over smart HTTP", () => {
  it("clones with a read token but refuses its push; a write token's push shows up in the REST API", async () => {
    const read = await mint("acme/widgets", "read")
    const dir = await clone("acme/widgets", read)
    expect(await readFile(join(dir, "src/app.js"), "utf8")).toBe("export const answer = 41\n")
    expect(await mustGit(dir, ["rev-parse", "HEAD"])).toBe(widgets.headSha)
    await writeFile(join(dir, "src/app.js"), "export const answer = 42\n")
    await mustGit(dir, ["commit", "--quiet", "-am", "the answer"])
    const sha = await mustGit(dir, ["rev-parse", "HEAD"])

    const refused = await git(dir, ["push", "origin", "HEAD:refs/heads/fix"], read)
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toMatch(/403/)
    expect(gh.requestsMatching("GET", /^\/acme\/widgets\.git\/info\/refs$/).at(-1)).toMatchObject({
      status: 403,
      query: { service: "git-receive-pack" },
      body: null,
    })
    const write = await mint("acme/widgets", "write")
    expect((await git(dir, ["push", "--quiet", "origin", "HEAD:refs/heads/fix"], write)).code).toBe(
      0,
    )

    const branch = await api(write, "GET", "/repos/acme/widgets/git/ref/heads/fix")
    expect(branch.body).toMatchObject({ ref: "refs/heads/fix", object: { sha, type: "commit" } })
    const commit = await api(write, "GET", "/repos/acme/widgets/commits/fix")
    expect(commit.body).toMatchObject({
      sha,
      commit: { message: "the answer" },
      parents: [{ sha: widgets.headSha }],
    })
    expect(commit.body.files).toEqual([
      expect.objectContaining({
        filename: "src/app.js",
        status: "modified",
        additions: 1,
        deletions: 1,
      }),
    ])
  })

  it("asks for credentials without a token and hides repositories outside the token", async () => {
    const anonymous = await git(work, ["ls-remote", gh.gitUrl("acme/widgets")])
    expect(anonymous.code).not.toBe(0)
    expect(gh.requestsMatching("GET", /^\/acme\/widgets\.git\/info\/refs$/).at(-1)?.status).toBe(
      401,
    )
    const other = await git(
      work,
      ["ls-remote", gh.gitUrl("acme/gadgets")],
      await mint("acme/widgets", "write"),
    )
    expect(other.code).not.toBe(0)
    expect(gh.requestsMatching("GET", /^\/acme\/gadgets\.git\/info\/refs$/).at(-1)?.status).toBe(
      404,
    )
  })
})

describe("pull requests", () => {
  it("opens a PR from a pushed branch, refuses a duplicate or a missing head with 422, and lists by head", async () => {
    const octokit = await installationOctokit()
    const issue = (
      await octokit.rest.issues.create({ owner: "acme", repo: "widgets", title: "Bug" })
    ).data
    const sha = await pushBranch("feature", { "README.md": "# widgets, improved\n" })
    const pr = (
      await octokit.rest.pulls.create({
        owner: "acme",
        repo: "widgets",
        title: "Improve",
        head: "feature",
        base: "main",
        body: "b",
      })
    ).data
    // Issues and pull requests share one number sequence.
    expect(pr.number).toBe(issue.number + 1)
    expect(pr).toMatchObject({
      state: "open",
      draft: false,
      head: { ref: "feature", sha, label: "acme:feature" },
      base: { ref: "main" },
      html_url: `${gh.webUrl}/acme/widgets/pull/${pr.number}`,
      user: { login: "patchplane[bot]", type: "Bot" },
    })
    const duplicate = await octokit.rest.pulls
      .create({
        owner: "acme",
        repo: "widgets",
        title: "Again",
        head: "acme:feature",
        base: "main",
      })
      .catch((error: unknown) => error as { status: number; response: { data: any } })
    expect(duplicate).toMatchObject({
      status: 422,
      response: {
        data: {
          message: "Validation Failed",
          errors: [{ message: "A pull request already exists for acme:feature." }],
        },
      },
    })
    const missing = await octokit.rest.pulls
      .create({
        owner: "acme",
        repo: "widgets",
        title: "Nothing",
        head: "no-such-branch",
        base: "main",
      })
      .catch((error: unknown) => error as { status: number; response: { data: any } })
    expect(missing).toMatchObject({
      status: 422,
      response: {
        data: { message: "Validation Failed", errors: [{ field: "head", code: "invalid" }] },
      },
    })
    const byHead = await octokit.rest.pulls.list({
      owner: "acme",
      repo: "widgets",
      head: "acme:feature",
      state: "open",
    })
    expect(byHead.data.map((p) => p.number)).toEqual([pr.number])
    const none = await octokit.rest.pulls.list({
      owner: "acme",
      repo: "widgets",
      head: "acme:elsewhere",
    })
    expect(none.data).toEqual([])
    const files = (
      await octokit.rest.pulls.listFiles({ owner: "acme", repo: "widgets", pull_number: pr.number })
    ).data
    expect(files).toEqual([
      expect.objectContaining({
        filename: "README.md",
        status: "modified",
        patch: expect.stringContaining("+# widgets, improved"),
      }),
    ])
  }, 30_000)

  it("reads head.sha live from the branch and computes mergeability with a real merge", async () => {
    const first = await pushBranch("live", { "src/app.js": "export const answer = 43\n" })
    const octokit = await installationOctokit()
    const pr = (
      await octokit.rest.pulls.create({
        owner: "acme",
        repo: "widgets",
        title: "Live",
        head: "live",
        base: "main",
      })
    ).data
    const info = await run(github().getPullRequest(ref, pr.number))
    expect(info).toMatchObject({
      headSha: first,
      headRef: "live",
      baseRef: "main",
      headRepoFullName: "acme/widgets",
    })
    expect(
      (await octokit.rest.pulls.get({ owner: "acme", repo: "widgets", pull_number: pr.number }))
        .data.mergeable,
    ).toBe(true)
    // Someone else changes the same line on main: the PR now conflicts.
    await gh.commitFiles("acme/widgets", {
      branch: "main",
      files: { "src/app.js": "export const answer = 0\n" },
      message: "zero",
    })
    const get = async () =>
      (await octokit.rest.pulls.get({ owner: "acme", repo: "widgets", pull_number: pr.number }))
        .data
    // GitHub computes mergeability in the background: null first, then the answer.
    expect(await get()).toMatchObject({ mergeable: null, mergeable_state: "unknown" })
    const after = await get()
    expect(after).toMatchObject({ mergeable: false, mergeable_state: "dirty" })
    // A push to the branch moves head.sha.
    const second = await gh.commitFiles("acme/widgets", {
      branch: "live",
      files: { "NOTES.md": "n\n" },
      message: "notes",
    })
    expect((await run(github().getPullRequest(ref, pr.number))).headSha).toBe(second)
  }, 30_000)

  it("merges as merge_method says: a merge commit, one squashed commit, or each commit replayed", async () => {
    const octokit = await installationOctokit()
    const repo = { owner: "acme", repo: "widgets" }
    const shapes: Record<string, { parents: number; onMain: number; mergeIsHead: boolean }> = {}
    for (const method of ["merge", "squash", "rebase"] as const) {
      const branch = `by-${method}`
      await gh.commitFiles("acme/widgets", {
        branch,
        from: "main",
        files: { [`${method}-1.txt`]: "1\n" },
        message: `change on ${branch}`,
      })
      const head = await gh.commitFiles("acme/widgets", {
        branch,
        files: { [`${method}-2.txt`]: "2\n" },
        message: `second ${method}`,
      })
      const before = (await octokit.rest.repos.getBranch({ ...repo, branch: "main" })).data.commit
        .sha
      const pr = (
        await octokit.rest.pulls.create({ ...repo, title: method, head: branch, base: "main" })
      ).data
      const merged = (
        await octokit.rest.pulls.merge({ ...repo, pull_number: pr.number, merge_method: method })
      ).data
      const after = (await octokit.rest.pulls.get({ ...repo, pull_number: pr.number })).data
      expect(after.merge_commit_sha).toBe(merged.sha)
      const commit = (await octokit.rest.repos.getCommit({ ...repo, ref: merged.sha })).data
      const compare = (
        await octokit.rest.repos.compareCommits({ ...repo, base: before, head: merged.sha })
      ).data
      shapes[method] = {
        parents: commit.parents.length,
        onMain: compare.total_commits,
        mergeIsHead: merged.sha === head,
      }
      // The PR still lists its own two commits after the merge.
      const listed = (await octokit.rest.pulls.listCommits({ ...repo, pull_number: pr.number }))
        .data
      expect(listed.map((c) => c.commit.message)).toEqual([
        `change on ${branch}`,
        `second ${method}`,
      ])
    }
    expect(shapes).toEqual({
      merge: { parents: 2, onMain: 3, mergeIsHead: false },
      squash: { parents: 1, onMain: 1, mergeIsHead: false },
      // Replayed onto main: new commits, and merge_commit_sha is only the last of them.
      rebase: { parents: 1, onMain: 2, mergeIsHead: false },
    })
  }, 30_000)

  it("marks a draft ready for review through GraphQL (the PR's node_id) and rejects unknown queries", async () => {
    await pushBranch("drafty", { "README.md": "# draft\n" })
    const octokit = await installationOctokit()
    const pr = (
      await octokit.rest.pulls.create({
        owner: "acme",
        repo: "widgets",
        title: "Draft",
        head: "drafty",
        base: "main",
        draft: true,
      })
    ).data
    expect(pr.draft).toBe(true)
    const answer = await octokit.graphql<{
      markPullRequestReadyForReview: { pullRequest: { isDraft: boolean; number: number } }
    }>(
      `mutation($id: ID!) { markPullRequestReadyForReview(input: { pullRequestId: $id }) { pullRequest { isDraft number } } }`,
      { id: pr.node_id },
    )
    expect(answer).toEqual({
      markPullRequestReadyForReview: { pullRequest: { isDraft: false, number: pr.number } },
    })
    expect(
      (await octokit.rest.pulls.get({ owner: "acme", repo: "widgets", pull_number: pr.number }))
        .data.draft,
    ).toBe(false)
    // Octokit derives /api/graphql from an /api/v3 base URL, as for GitHub Enterprise Server.
    expect(gh.requestsMatching("POST", /^\/graphql$/).at(-1)?.status).toBe(200)
    await expect(octokit.graphql(`query { viewer { login } }`)).rejects.toThrow(/viewer/)
    await expect(
      octokit.graphql(
        `mutation { markPullRequestReadyForReview(input: {pullRequestId: "PR_nope"}) { pullRequest { isDraft } } }`,
      ),
    ).rejects.toThrow(/Could not resolve to a node/)
  }, 30_000)

  it("merges with a real two-parent merge commit on the base branch", async () => {
    const head = await pushBranch("to-merge", { "README.md": "# merged readme\n" })
    const octokit = await installationOctokit()
    const pr = (
      await octokit.rest.pulls.create({
        owner: "acme",
        repo: "widgets",
        title: "Merge me",
        head: "to-merge",
        base: "main",
      })
    ).data
    const token = await mint("acme/widgets", "read")
    const before = (await api(token, "GET", "/repos/acme/widgets/git/ref/heads/main")).body.object
      .sha
    const mergeSha = await gh.mergePullRequest("acme/widgets", pr.number)

    const dir = await clone("acme/widgets", token)
    expect(await mustGit(dir, ["rev-parse", "HEAD"])).toBe(mergeSha)
    expect((await mustGit(dir, ["rev-list", "--parents", "-n", "1", "HEAD"])).split(" ")).toEqual([
      mergeSha,
      before,
      head,
    ])
    expect(await readFile(join(dir, "README.md"), "utf8")).toBe("# merged readme\n")
    expect(await mustGit(dir, ["log", "-1", "--format=%s"])).toBe(
      `Merge pull request #${pr.number} from acme/to-merge`,
    )

    const merged = (
      await octokit.rest.pulls.get({ owner: "acme", repo: "widgets", pull_number: pr.number })
    ).data
    expect(merged).toMatchObject({
      state: "closed",
      merged: true,
      merge_commit_sha: mergeSha,
      head: { sha: head },
    })
    expect(merged.changed_files).toBe(1)
    await expect(
      octokit.rest.pulls.merge({ owner: "acme", repo: "widgets", pull_number: pr.number }),
    ).rejects.toMatchObject({ status: 405 })
  }, 30_000)
})

describe("what PatchPlane's GitHub service does", () => {
  it("comments, edits, reacts, reads permissions and runs checks, with GitHub's shapes", async () => {
    const issue = gh.createIssue("acme/widgets", { title: "Please fix", user: "alice" })
    const command = gh.addIssueComment("acme/widgets", issue.number, {
      user: "alice",
      body: "/patchplane fix it",
    })
    gh.setPermission("acme/widgets", "alice", "write")
    gh.setPermission("acme/widgets", "mia", "maintain")
    expect(await run(github().repoPermission(ref, "alice"))).toBe("write")
    expect(await run(github().repoPermission(ref, "mia"))).toBe("maintain")
    expect(await run(github().repoPermission(ref, "mallory"))).toBe("none")
    expect(await run(github().repoPermission(ref, "acme"))).toBe("admin")

    await run(github().addReaction(ref, { kind: "issue_comment", commentId: command.id }, "eyes"))
    await run(github().addReaction(ref, { kind: "issue", issueNumber: issue.number }, "rocket"))
    expect(
      gh.reactions("acme/widgets").map((r) => [r.subject.kind, r.content, r.user.login]),
    ).toEqual([
      ["issue_comment", "eyes", "patchplane[bot]"],
      ["issue", "rocket", "patchplane[bot]"],
    ])
    const posted = await run(github().createComment(ref, issue.number, "Queued"))
    expect(posted.url).toBe(
      `${gh.webUrl}/acme/widgets/issues/${issue.number}#issuecomment-${posted.id}`,
    )
    await run(github().updateComment(ref, posted.id, "Running"))
    expect(
      gh.issueComments("acme/widgets", issue.number).map((c) => [c.user.login, c.body]),
    ).toEqual([
      ["alice", "/patchplane fix it"],
      ["patchplane[bot]", "Running"],
    ])
    await expect(run(github().updateComment(ref, 999_999, "x"))).rejects.toMatchObject({
      status: 404,
    })

    const sha = widgets.headSha
    const check = await run(
      github().createCheckRun(ref, {
        name: "PatchPlane",
        headSha: sha,
        status: "queued",
        externalId: "run-1",
      }),
    )
    await run(
      github().updateCheckRun(ref, check.id, {
        status: "completed",
        conclusion: "success",
        output: { title: "Done", summary: "ok" },
      }),
    )
    const octokit = await installationOctokit()
    const listed = (
      await octokit.rest.checks.listForRef({ owner: "acme", repo: "widgets", ref: sha })
    ).data
    expect(listed.total_count).toBe(1)
    expect(listed.check_runs[0]).toMatchObject({
      id: check.id,
      name: "PatchPlane",
      external_id: "run-1",
      status: "completed",
      conclusion: "success",
      output: { title: "Done", summary: "ok" },
      head_sha: sha,
    })
    await expect(
      run(github().createCheckRun(ref, { name: "x", headSha: "0".repeat(40), status: "queued" })),
    ).rejects.toMatchObject({ status: 422 })
  }, 30_000)

  it("serves the dashboard's reads: a file at a ref, a compare diff and webhook redelivery", async () => {
    const dashboard = createDashboardGitHub(probot, gh.apiUrl)
    await gh.commitFiles("acme/widgets", {
      branch: "dash",
      from: widgets.headSha,
      files: { "src/app.js": "export const answer = 42\n" },
      message: "dashboard branch",
    })
    expect(await dashboard.readFile(77, "acme/widgets", "src/app.js", "dash")).toBe(
      "export const answer = 42\n",
    )
    expect(await dashboard.readFile(77, "acme/widgets", "missing.txt", "main")).toBeNull()
    const diff = await dashboard.compareDiff(77, "acme/widgets", widgets.headSha, "dash")
    expect(diff).toContain("-export const answer = 41")
    expect(diff).toContain("+export const answer = 42")
    expect(await dashboard.installUrl()).toBe(`${gh.webUrl}/apps/patchplane/installations/new`)

    const received: Array<{ delivery: string; verified: boolean }> = []
    const receiver: Server = createServer(async (req, res) => {
      let body = ""
      for await (const chunk of req) body += String(chunk)
      received.push({
        delivery: String(req.headers["x-github-delivery"]),
        verified: await verifySignature(probot, body, String(req.headers["x-hub-signature-256"])),
      })
      res.writeHead(202, { "content-type": "application/json" })
      res.end('{"ok":true}')
    })
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve))
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`
      const direct = await sendWebhook({
        url,
        secret: "stand-in-secret",
        event: "ping",
        payload: { zen: "hi" },
      })
      expect(direct).toMatchObject({ status: 202, body: { ok: true } })
      const forged = await sendWebhook({
        url,
        secret: "wrong",
        event: "ping",
        payload: { zen: "hi" },
      })
      gh.setWebhook({ url, secret: "stand-in-secret" })
      // A real delivery (the newest recorded `issues.opened`), as GitHub's schema describes it.
      const opened = (
        examples as unknown as ReadonlyArray<{
          name: string
          examples: ReadonlyArray<Record<string, unknown>>
        }>
      )
        .find((g) => g.name === "issues")
        ?.examples.findLast((e) => e.action === "opened")
      const sent = await gh.deliverWebhook({ event: "issues", payload: opened ?? {} })
      expect(await dashboard.redeliver(sent.deliveryId)).toBe("redelivered")
      expect(await dashboard.redeliver("no-such-guid")).toBe("not_found")
      expect(received).toEqual([
        { delivery: direct.deliveryId, verified: true },
        { delivery: forged.deliveryId, verified: false },
        { delivery: sent.deliveryId, verified: true },
        { delivery: sent.deliveryId, verified: true },
      ])
    } finally {
      receiver.closeAllConnections()
      await new Promise((resolve) => receiver.close(resolve))
    }
  }, 30_000)
})

describe("fault injection and recording", () => {
  it("fails the next matching request as told; PatchPlane's retry gets through a 502", async () => {
    gh.failNext({ method: "POST", path: /\/issues\/\d+\/comments$/, status: 502 })
    const posted = await run(github().createComment(ref, 1, "after a hiccup"))
    const attempts = gh
      .requestsMatching("POST", /^\/repos\/acme\/widgets\/issues\/1\/comments$/)
      .slice(-2)
    expect(attempts.map((r) => [r.status, r.body])).toEqual([
      [502, { body: "after a hiccup" }],
      [201, { body: "after a hiccup" }],
    ])
    expect(gh.issueComments("acme/widgets", 1).map((c) => c.id)).toContain(posted.id)

    const token = await mint("acme/widgets", "read")
    gh.failNext({
      method: "GET",
      path: /^\/repos\/acme\/widgets$/,
      status: 403,
      headers: { "retry-after": "1" },
      body: { message: "You have exceeded a secondary rate limit" },
      times: 2,
    })
    for (let n = 0; n < 2; n++) {
      const limited = await api(token, "GET", "/repos/acme/widgets")
      expect([limited.status, limited.headers.get("retry-after"), limited.body.message]).toEqual([
        403,
        "1",
        "You have exceeded a secondary rate limit",
      ])
    }
    expect((await api(token, "GET", "/repos/acme/widgets")).status).toBe(200)
  })

  it("records every request in order with its parsed body and status, and answers unknown routes like GitHub", async () => {
    const token = await mint("acme/widgets", "write")
    const from = gh.requests.length
    const unknown = await api(token, "GET", "/repos/acme/widgets/frobnicate")
    expect(unknown.status).toBe(404)
    expect(unknown.body).toMatchObject({
      message: "Not Found",
      documentation_url: "https://docs.github.com/rest",
    })
    expect(unknown.headers.get("x-github-request-id")).toMatch(/^[0-9A-F]+$/)
    expect(Number(unknown.headers.get("x-ratelimit-remaining"))).toBeLessThan(5000)
    await api(token, "POST", "/repos/acme/widgets/issues/1/comments", { body: "hello" })
    await fetch(`${gh.apiUrl}/repos/acme/widgets/pulls?state=all&per_page=2`, {
      headers: { authorization: `token ${token}` },
    })
    expect(gh.requests.slice(from)).toEqual([
      {
        method: "GET",
        path: "/repos/acme/widgets/frobnicate",
        query: {},
        body: null,
        status: 404,
        gitToken: null, // REST, not git
      },
      {
        method: "POST",
        path: "/repos/acme/widgets/issues/1/comments",
        query: {},
        body: { body: "hello" },
        status: 403,
        gitToken: null,
      },
      {
        method: "GET",
        path: "/repos/acme/widgets/pulls",
        query: { state: "all", per_page: "2" },
        body: null,
        status: 403, // a contents-only token cannot read pull requests
        gitToken: null,
      },
    ])
  })
})
