// Registering the GitHub App from app.yml with GitHub's App-manifest flow (a
// loopback fake GitHub answers the code exchange): the manifest is filled in
// with this server's URLs, the returned credentials land where the config
// expects them, and the config then loads with the App configured.
import { readFile, stat } from "node:fs/promises"
import { join } from "node:path"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { loadConfig } from "../../app/src/config/load-config.ts"
import { demoSteps } from "./demo-steps.ts"
import { type FakeGitHub, startFakeGitHub } from "./fake-github.ts"
import { type DashboardStack, startDashboardStack } from "./stack.ts"

let bare: DashboardStack
let github: FakeGitHub

beforeAll(async () => {
  github = await startFakeGitHub()
  bare = await startDashboardStack({ steps: (db) => demoSteps(db, { agentMs: 1 }) })
}, 60_000)
afterAll(async () => {
  await bare?.stop()
  await github?.close()
})

const api = async (
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; body: any; headers: Headers }> => {
  const headers = new Headers(init.headers)
  if (init.body) headers.set("content-type", "application/json")
  headers.set("cookie", bare.localCookie)
  const res = await fetch(`${bare.url}${path}`, { ...init, headers, redirect: "manual" })
  const text = await res.text()
  return { status: res.status, body: text === "" ? null : JSON.parse(text), headers: res.headers }
}

describe("registering the GitHub App", () => {
  it("posts app.yml as a manifest and stores the returned credentials where the config expects them", async () => {
    const info = await api("/api/github/manifest")
    expect(info.body.configured).toBe(false)
    expect(info.body.manifest).toMatchObject({
      name: "PatchPlane",
      hook_attributes: { url: `${bare.url}/api/github/webhooks`, active: false },
      redirect_url: `${bare.url}/api/github/manifest/callback`,
      default_permissions: { contents: "write", checks: "write" },
    })
    expect(info.body.reachableByGitHub).toBe(false)
    const started = await api("/api/github/manifest", {
      method: "POST",
      body: JSON.stringify({ githubUrl: github.url, organization: "acme" }),
    })
    expect(started.body.action).toMatch(
      new RegExp(`^${github.url}/organizations/acme/settings/apps/new\\?state=`),
    )
    expect(JSON.parse(started.body.manifest).name).toBe("PatchPlane")
    const state = new URL(started.body.action).searchParams.get("state")

    expect((await fetch(`${bare.url}/api/github/manifest`)).status).toBe(401)
    const forged = await api("/api/github/manifest/callback?code=abc&state=forged")
    expect(forged.status).toBe(400)
    // GitHub's redirect back is cross-site: no SameSite=Strict cookie comes along, the state suffices.
    const back = await fetch(
      `${bare.url}/api/github/manifest/callback?code=abc123&state=${state}`,
      {
        redirect: "manual",
      },
    )
    expect(back.status).toBe(302)
    expect(back.headers.get("location")).toBe(
      "/repositories?app=patchplane-registered&config=patchplane.config.json",
    )
    expect(github.calls).toContain("POST /app-manifests/abc123/conversions")

    const written = JSON.parse(await readFile(join(bare.dir, "patchplane.config.json"), "utf8"))
    expect(written.github).toEqual({
      appId: 777,
      privateKey: { file: "patchplane.private-key.pem" },
      webhookSecret: { file: "patchplane.webhook-secret" },
      apiUrl: `${github.url}/api/v3`,
    })
    expect(written.server).toMatchObject({ port: 0 })
    expect((await stat(join(bare.dir, "patchplane.private-key.pem"))).mode & 0o777).toBe(0o600)
    const config = await Effect.runPromise(loadConfig({ cwd: bare.dir, env: {} }))
    expect(config.github?.appId).toBe(777)
    expect(config.unconfigured).not.toContain("GitHub App (github)")
  }, 60_000)
})
