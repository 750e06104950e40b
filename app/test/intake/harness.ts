// A running PatchPlane (in this process, over real HTTP, on the machine's
// PostgreSQL) with a GitHub App configured against api.github.com, which nock
// answers. Deliveries are real @octokit/webhooks-examples payloads, signed.
import { createHmac, generateKeyPairSync, randomUUID } from "node:crypto"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createTestDatabase, type TestDatabase } from "@patchplane/db/testing"
import examples from "@octokit/webhooks-examples" with { type: "json" }
import nock from "nock"
import { startPatchPlane, type RunningPatchPlane } from "../../src/main/start.ts"

export const GITHUB = "https://api.github.com"
export const SECRET = "intake-test-secret"
export const INSTALLATION_ID = 957387
export const REPO = "Codertocat/Hello-World"

type Payload = Record<string, unknown>

/** A deep copy of a real example payload, with the installation an App delivery carries. */
export const example = (name: string, action: string, index = 0): Payload => {
  const group = (examples as unknown as ReadonlyArray<{ name: string; examples: Payload[] }>).find(
    (e) => e.name === name,
  )
  const found = group?.examples.filter((e) => e.action === action)[index]
  if (!found) throw new Error(`no example ${name}.${action}[${index}]`)
  const copy = structuredClone(found)
  copy.installation ??= {
    id: INSTALLATION_ID,
    node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uOTU3Mzg3",
  }
  return copy
}

export const sign = (body: string, secret = SECRET) =>
  `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`

/**
 * A fresh App key and a patchplane.config.json in `dir` with a GitHub App
 * against api.github.com (nock answers); `github` and `rest` override.
 */
export const writeGitHubConfig = async (
  dir: string,
  github: Readonly<Record<string, unknown>> = {},
  rest: Readonly<Record<string, unknown>> = {},
) => {
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  })
  await writeFile(join(dir, "app.pem"), privateKey)
  await writeFile(
    join(dir, "patchplane.config.json"),
    JSON.stringify({
      server: { port: 0, logLevel: "silent", publicUrl: "https://pp.example.test" },
      github: {
        appId: 4242,
        privateKey: { file: "app.pem" },
        webhookSecret: SECRET,
        apiUrl: GITHUB,
        retryBaseMs: 5,
        // Throttled as deployed, with writes spaced milliseconds apart instead of 1-3 s.
        throttle: true,
        writeSpacingMs: 5,
        ...github,
      },
      ...rest,
    }),
  )
}

export interface Harness {
  readonly app: RunningPatchPlane
  readonly db: TestDatabase
  send(
    event: string,
    payload: Payload | string,
    options?: { id?: string; secret?: string; headers?: Record<string, string | null> },
  ): Promise<{ status: number; body: Record<string, unknown>; id: string }>
  stop(): Promise<void>
}

export const startHarness = async (
  options: { maxBodyBytes?: number; maxPromptChars?: number } = {},
): Promise<Harness> => {
  const db = await createTestDatabase("intake", { migrate: false })
  const dir = await mkdtemp(join(tmpdir(), "pp-intake-"))
  await writeGitHubConfig(
    dir,
    {},
    {
      intake: {
        ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
        ...(options.maxPromptChars === undefined ? {} : { maxPromptChars: options.maxPromptChars }),
      },
    },
  )
  // Web role only: runs stay queued, so the assertions see exactly what intake did.
  const app = await startPatchPlane({ cwd: dir, env: { DATABASE_URL: db.url }, roles: ["web"] })
  return {
    app,
    db,
    send: async (event, payload, opts = {}) => {
      const body = typeof payload === "string" ? payload : JSON.stringify(payload)
      const id = opts.id ?? randomUUID()
      const headers: Record<string, string> = {
        "content-type": "application/json",
        "x-github-event": event,
        "x-github-delivery": id,
        "x-hub-signature-256": sign(body, opts.secret),
        "user-agent": "GitHub-Hookshot/test",
      }
      for (const [name, value] of Object.entries(opts.headers ?? {})) {
        if (value === null) delete headers[name]
        else headers[name] = value
      }
      const res = await fetch(`${app.url}/api/github/webhooks`, { method: "POST", headers, body })
      const text = await res.text()
      let parsed: Record<string, unknown> = {}
      try {
        parsed = JSON.parse(text) as Record<string, unknown>
      } catch {
        parsed = { text }
      }
      return { status: res.status, body: parsed, id }
    },
    stop: async () => {
      await app.stop()
      await db.drop()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/**
 * A harness whose App is installed (the real `installation.created` example
 * delivered), with GitHub reachable only through nock; `stop` restores the network.
 */
export const startInstalledHarness = async (
  options: Parameters<typeof startHarness>[0] = {},
): Promise<Harness> => {
  nock.disableNetConnect()
  nock.enableNetConnect(/127\.0\.0\.1|localhost/)
  const h = await startHarness(options)
  mockInstallationToken()
  const installed = await h.send("installation", example("installation", "created"))
  if (installed.status !== 200) throw new Error(`installation event answered ${installed.status}`)
  return {
    ...h,
    stop: async () => {
      nock.cleanAll()
      nock.enableNetConnect()
      await h.stop()
    },
  }
}

/** Answers installation-token requests for every test (Probot caches them per instance). */
export const mockInstallationToken = () =>
  nock(GITHUB)
    .persist()
    .post(`/app/installations/${INSTALLATION_ID}/access_tokens`)
    .reply(201, {
      token: "ghs_installationtoken",
      expires_at: new Date(Date.now() + 3_600_000).toISOString(),
      permissions: { issues: "write", checks: "write", pull_requests: "write", contents: "write" },
      repository_selection: "selected",
    })

export const permissionReply = (login: string, permission: string, role = permission) =>
  nock(GITHUB)
    .get(`/repos/${REPO}/collaborators/${login}/permission`)
    .reply(200, { permission, role_name: role, user: { login } })

/** Fails the test on any GitHub request nobody mocked. */
export const recordUnexpected = () => {
  const unexpected: string[] = []
  const listener = (req: { method?: string; url?: string; href?: string; path?: string }) => {
    const where = req.url ?? req.href ?? req.path ?? "?"
    if (!/^https?:\/\/(127\.0\.0\.1|localhost)[:/]/.test(where))
      unexpected.push(`${req.method} ${where}`)
  }
  nock.emitter.on("no match", listener)
  return {
    unexpected,
    done: () => nock.emitter.removeListener("no match", listener),
  }
}
