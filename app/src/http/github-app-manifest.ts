// Registering the GitHub App from `app.yml` with GitHub's App-manifest flow,
// for an operator who has not configured one yet (admin only):
//   GET  /api/github/manifest           the manifest, filled in with this server's URLs
//   POST /api/github/manifest           {githubUrl?, organization?} → where to post it
//   GET  /api/github/manifest/callback  GitHub sends the browser back with a code; it is
//        exchanged for the App's id, private key and webhook secret, which are stored
//        where the config expects them (two 0600 files next to the config file, and
//        `github` in patchplane.config.json). A restart connects the App.
// Probot ships a manifest flow too, but it writes a .env file, which PatchPlane
// does not read; this one writes our config.
import { randomBytes } from "node:crypto"
import { existsSync } from "node:fs"
import { readFile, writeFile } from "node:fs/promises"
import type { IncomingMessage, ServerResponse } from "node:http"
import { basename, dirname, join, resolve } from "node:path"
import { Api } from "@patchplane/domain"
import { Schema } from "effect"
import { parseDocument } from "yaml"
import { requireRole } from "./auth/auth.ts"
import type { ApiRoutes, DashboardApiDeps } from "./api/dashboard-deps.ts"
import { ApiError, readBody, sendAnswer } from "./api/http-json.ts"

const APP_YML = resolve(import.meta.dirname, "../../../app.yml")
const CALLBACK = "/api/github/manifest/callback"
const KEY_FILE = "patchplane.private-key.pem"
const SECRET_FILE = "patchplane.webhook-secret"

const Conversion = Schema.Struct({
  id: Schema.Number,
  slug: Schema.String,
  html_url: Schema.String,
  pem: Schema.String,
  webhook_secret: Schema.NullOr(Schema.String),
})

const isLocal = (url: string) => /^https?:\/\/(localhost|127\.|\[::1\])/.test(url)

export const manifestFor = async (publicUrl: string) => {
  const doc = parseDocument(await readFile(APP_YML, "utf8")).toJS() as Record<string, unknown>
  return {
    ...doc,
    url: publicUrl,
    hook_attributes: { url: `${publicUrl}/api/github/webhooks`, active: !isLocal(publicUrl) },
    redirect_url: `${publicUrl}${CALLBACK}`,
    setup_url: `${publicUrl}/repositories`,
    public: false,
  }
}

const normalizeGitHubUrl = (value: string | undefined) => {
  const text = (value ?? "").trim().replace(/\/+$/, "")
  if (text === "" || text === "https://github.com")
    return { web: "https://github.com", api: "https://api.github.com" }
  if (!/^https?:\/\/[^\s/]+$/.test(text))
    throw new ApiError(400, "invalid_body", "githubUrl: expected https://HOST", "githubUrl")
  return { web: text, api: `${text}/api/v3` }
}

/** Writes the App's credentials and points the config file at them. */
const storeCredentials = async (
  deps: DashboardApiDeps,
  app: typeof Conversion.Type,
  apiUrl: string,
) => {
  const configPath = deps.config.source ?? join(deps.cwd, "patchplane.config.json")
  const dir = dirname(configPath)
  const github = {
    appId: app.id,
    privateKey: { file: KEY_FILE },
    webhookSecret: { file: SECRET_FILE },
    ...(apiUrl === "https://api.github.com" ? {} : { apiUrl }),
  }
  const existing = existsSync(configPath) ? await readFile(configPath, "utf8") : ""
  let text: string
  if (configPath.endsWith(".json")) {
    const doc = existing.trim() === "" ? {} : (JSON.parse(existing) as Record<string, unknown>)
    if (doc.github !== undefined)
      throw new ApiError(409, "already_configured", `${basename(configPath)} already has github`)
    text = `${JSON.stringify({ ...doc, github }, null, 2)}\n`
  } else {
    const doc = parseDocument(existing)
    if (doc.has("github"))
      throw new ApiError(409, "already_configured", `${basename(configPath)} already has github`)
    doc.set("github", doc.createNode(github))
    text = String(doc)
  }
  await writeFile(join(dir, KEY_FILE), app.pem, { mode: 0o600 })
  await writeFile(join(dir, SECRET_FILE), app.webhook_secret ?? "", { mode: 0o600 })
  await writeFile(configPath, text)
  return configPath
}

export const githubAppManifestApi = (deps: DashboardApiDeps): ApiRoutes => {
  // Started registrations, by the state GitHub hands back (one hour each).
  const pending = new Map<string, { api: string; expires: number }>()

  // GitHub's redirect back is a cross-site navigation, which carries no
  // SameSite=Strict cookie (the local operator's): the one-time, unguessable
  // state an admin's POST created is what authorizes the callback.
  const callback = async (_req: IncomingMessage, res: ServerResponse, url: URL) => {
    const state = url.searchParams.get("state") ?? ""
    const started = pending.get(state)
    pending.delete(state)
    if (started === undefined || started.expires < Date.now())
      throw new ApiError(400, "invalid_state", "this registration was not started here or expired")
    const code = url.searchParams.get("code") ?? ""
    if (!/^\w+$/.test(code)) throw new ApiError(400, "invalid_code", "GitHub sent no code")
    const response = await fetch(`${started.api}/app-manifests/${code}/conversions`, {
      method: "POST",
      headers: { accept: "application/vnd.github+json", "user-agent": "PatchPlane" },
    })
    if (!response.ok)
      throw new ApiError(502, "github_error", `GitHub refused the code (${response.status})`)
    const app = Schema.decodeUnknownSync(Conversion)(await response.json(), {
      onExcessProperty: "ignore",
    })
    const configPath = await storeCredentials(deps, app, started.api)
    deps.log.info({ appId: app.id, slug: app.slug, configPath }, "GitHub App registered")
    const next = new URLSearchParams({ app: app.slug, config: basename(configPath) })
    res.writeHead(302, { location: `/repositories?${next}`, "cache-control": "no-store" })
    res.end()
  }

  return async (req, res, url) => {
    if (url.pathname === CALLBACK && req.method === "GET") {
      await callback(req, res, url)
      return true
    }
    if (url.pathname !== "/api/github/manifest") return false
    requireRole(deps.authenticate(req), "admin", "registering the GitHub App")
    if (req.method === "GET") {
      sendAnswer(res, 200, Api.ManifestInfo, {
        configured: deps.config.github !== null,
        manifest: await manifestFor(deps.publicUrl),
        publicUrl: deps.publicUrl,
        reachableByGitHub: !isLocal(deps.publicUrl),
        configFile: deps.config.source ?? join(deps.cwd, "patchplane.config.json"),
      })
      return true
    }
    if (req.method !== "POST") return false
    if (deps.config.github !== null)
      throw new ApiError(409, "already_configured", "a GitHub App is already configured")
    const body = await readBody(req, Api.ManifestStartBody)
    const github = normalizeGitHubUrl(body.githubUrl)
    const organization = body.organization?.trim() ?? ""
    if (organization !== "" && !/^[\w.-]+$/.test(organization))
      throw new ApiError(400, "invalid_body", "organization: not a GitHub login", "organization")
    const state = randomBytes(18).toString("base64url")
    pending.set(state, { api: github.api, expires: Date.now() + 3_600_000 })
    const base =
      organization === ""
        ? `${github.web}/settings/apps/new`
        : `${github.web}/organizations/${organization}/settings/apps/new`
    sendAnswer(res, 200, Api.ManifestStart, {
      action: `${base}?state=${state}`,
      manifest: JSON.stringify(await manifestFor(deps.publicUrl)),
    })
    return true
  }
}
