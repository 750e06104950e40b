// `npm run demo`: the whole loop on this machine, to watch in a browser.
// PatchPlane starts on its embedded defaults (embedded PostgreSQL, local
// bubblewrap sandbox, dashboard on http://localhost:3000) against loopback
// stand-ins for what it cannot reach here: GitHub (REST and git), the model
// (scripted, unless your patchplane.config.* configures a real one) and the
// GitHub Actions OIDC issuer. Once the dashboard is ready, a signed
// `/patchplane` comment starts the first run. The demo has its own database
// (under .patchplane/demo, never `npm start`'s), its scripted model answers
// any prompt, and it plays the repository's CI on every draft PR, so runs
// started from New run, the API, Retry or more comments all reach a decision.
// Everything stays up until Ctrl-C so you can play with it.
// `npm run demo -- --daytona` runs the agent in the local Daytona instead
// (sandbox.backend "daytona").
import { existsSync, readFileSync, rmSync } from "node:fs"
import { isAbsolute, join, resolve } from "node:path"
import { parse } from "yaml"
import { startPatchPlane } from "../src/main/start.ts"
import { REPOSITORY, startLocalWorld } from "./local-world.ts"

const PROMPT = "add a CONTRIBUTING.md that explains how to run the tests"
const root = resolve(import.meta.dirname, "../..")
const dir = join(root, ".patchplane", "demo")
const port = Number(process.env.PORT ?? 3000)
const daytona = process.argv.includes("--daytona")

/** runtime.pi from the user's own config, when it names a real provider. */
const realModel = (): { source: string; pi: Readonly<Record<string, unknown>> } | undefined => {
  for (const name of [
    "patchplane.config.json",
    "patchplane.config.yaml",
    "patchplane.config.yml",
  ]) {
    const path = join(root, name)
    if (!existsSync(path)) continue
    const doc = parse(readFileSync(path, "utf8")) as {
      runtime?: { pi?: Record<string, unknown> & { upstream?: Record<string, unknown> } }
    }
    const pi: (Record<string, unknown> & { upstream?: Record<string, unknown> }) | undefined =
      doc.runtime?.pi
    if (pi?.upstream === undefined) return undefined
    // A key kept in a file is named relative to that config: keep it found from here.
    const key = pi.upstream.apiKey as { file?: string } | undefined
    const apiKey =
      key?.file !== undefined && !isAbsolute(key.file) ? { file: join(root, key.file) } : key
    const upstream = { ...pi.upstream, ...(apiKey === undefined ? {} : { apiKey }) }
    return {
      source: name,
      pi: { ...pi, upstream },
    }
  }
  return undefined
}

const say = (line: string) => console.log(`demo: ${line}`)

const model = realModel()
// Each demo starts clean: the stand-in's GitHub is new every time.
rmSync(dir, { recursive: true, force: true })
const world = await startLocalWorld({
  dir,
  port,
  logLevel: "warn",
  // Slow enough to follow each tool call in the dashboard as it happens.
  modelLatencyMs: 2_000,
  daytona,
  // Its own cluster: `npm start`'s database never sees the stand-in's repository.
  config: { database: { embedded: { dataDir: join(dir, "postgres") } } },
  ...(model === undefined ? { anyPrompt: true } : { model: model.pi }),
})
say(`GitHub stand-in on ${world.github.webUrl}, repository ${REPOSITORY}`)
if (world.daytona !== null)
  say(
    `sandboxes: the local Daytona on ${world.daytona.apiUrl} (snapshot with Pi and Claude Code, bubblewrap inside)`,
  )
say(
  model === undefined
    ? "model: the scripted one (configure runtime.pi in patchplane.config.json for a real model)"
    : `model: ${String(model.pi["model"])} via ${String(model.pi["provider"])} (from ${model.source})`,
)
say("starting PatchPlane on the embedded PostgreSQL (the first start builds the dashboard)…")
const app = await startPatchPlane({ cwd: dir, env: { PATCHPLANE_CONFIG: world.configPath } })
const url = app.url ?? `http://localhost:${port}`
// Local operator mode: the dashboard and API answer only this start's token.
const operatorToken = app.localOperator?.token ?? ""
const signedIn = (path: string) => `${url}${path}?token=${encodeURIComponent(operatorToken)}`
let stopping = false
const stop = async () => {
  if (stopping) {
    say("stopping now")
    process.exit(130)
  }
  stopping = true
  say("stopping…")
  await app.stop().catch(() => {})
  await world.close()
  process.exit(0)
}
process.on("SIGINT", () => void stop())
process.on("SIGTERM", () => void stop())

// The first run starts once the dashboard can show it (the first start builds it).
for (let waited = 0; ; waited += 1) {
  const page = await fetch(url).catch(() => null)
  if (page !== null && page.status !== 503) break
  if (waited === 0) say("waiting for the dashboard to be ready…")
  await new Promise((done) => setTimeout(done, 1_000))
}
await world.connect(url)
say(`the App is installed on ${REPOSITORY}; @octocat comments "/patchplane ${PROMPT}"`)
const sent = await world.request(PROMPT, ...(model === undefined ? [{ script: [] }] : []))
if (sent.status !== 200) throw new Error(`PatchPlane answered the webhook with ${sent.status}`)

const api = async <A>(path: string): Promise<A> => {
  const res = await fetch(`${url}${path}`, {
    headers: { authorization: `Bearer ${operatorToken}` },
  })
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`)
  return (await res.json()) as A
}
const { runs } = await api<{ runs: ReadonlyArray<{ id: string }> }>("/api/runs?limit=1")
const runId = runs[0]?.id
if (runId === undefined) throw new Error("the comment started no run")
console.log(`\n  Watch the run live (this link signs you in): ${signedIn(`/runs/${runId}`)}\n`)

// Follow every run (the first, and any started from the dashboard, the API,
// Retry or a comment); play the repository's CI once a draft PR is open.
interface Listed {
  readonly id: string
  readonly state: string
  readonly reason: string | null
  readonly pullRequestNumber: number | null
}
const FINAL = ["decided", "failed", "cancelled", "timed_out"]
const seen = new Map<string, string>()
const reviewed = new Set<string>()
let announced = false
let ciQueue: Promise<unknown> = Promise.resolve()
for (;;) {
  const { runs: listed } = await api<{ runs: ReadonlyArray<Listed> }>("/api/runs?limit=20").catch(
    () => ({ runs: [] as ReadonlyArray<Listed> }),
  )
  for (const run of listed.toReversed()) {
    const line = `${run.state}${run.reason ? ` (${run.reason})` : ""}`
    if (seen.get(run.id) !== line) {
      if (!seen.has(run.id) && run.id !== runId) say(`new run: ${signedIn(`/runs/${run.id}`)}`)
      seen.set(run.id, line)
      say(`run ${run.id.slice(0, 8)}: ${line}`)
    }
    const key = `${run.id}#${run.pullRequestNumber}`
    if (run.pullRequestNumber !== null && !reviewed.has(key) && !FINAL.includes(run.state)) {
      reviewed.add(key)
      const number = run.pullRequestNumber
      say(`draft PR #${number} opened; the repository's CI runs the review Action…`)
      // One at a time: the local OIDC issuer mints for one workflow run at a time.
      ciQueue = ciQueue
        .then(() => world.review(number, url))
        .then(
          (review) =>
            say(
              `review Action on PR #${number} exited with ${review.code}${review.code === 0 ? "" : `:\n${review.stderr.slice(-2_000)}${review.stdout.slice(-2_000)}`}`,
            ),
          (error: unknown) => say(`review Action on PR #${number} failed: ${String(error)}`),
        )
    }
  }
  if (!announced && FINAL.includes(seen.get(runId)?.split(" ")[0] ?? "")) {
    announced = true
    say(
      `the first run is done. Start more from the dashboard (New run, Retry) or the API; the model answers any prompt. ${signedIn("/")} stays up until Ctrl-C.`,
    )
  }
  await new Promise((done) => setTimeout(done, 1_000))
}
