// `npm run demo`: the whole loop on this machine, to watch in a browser.
// PatchPlane starts on its embedded defaults (embedded PostgreSQL, local
// bubblewrap sandbox, dashboard on http://localhost:3000) against loopback
// stand-ins for what it cannot reach here: GitHub (REST and git), the model
// (scripted, unless your patchplane.config.* configures a real one) and the
// GitHub Actions OIDC issuer. A signed `/patchplane` comment starts a run; the
// demo plays the target repository's CI when the draft PR opens, and keeps
// everything up until Ctrl-C so you can look around.
import { existsSync, readFileSync, rmSync } from "node:fs"
import { isAbsolute, join, resolve } from "node:path"
import { parse } from "yaml"
import { startPatchPlane } from "../src/server/start.ts"
import { REPOSITORY, startLocalWorld } from "./local-world.ts"

const PROMPT = "add a CONTRIBUTING.md that explains how to run the tests"
const root = resolve(import.meta.dirname, "../..")
const dir = join(root, ".patchplane", "demo")
const port = Number(process.env.PORT ?? 3000)

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
  ...(model === undefined
    ? {}
    : {
        model: model.pi,
      }),
})
say(`GitHub stand-in on ${world.github.webUrl}, repository ${REPOSITORY}`)
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
  if (stopping) return
  stopping = true
  say("stopping…")
  await app.stop().catch(() => {})
  await world.close()
  process.exit(0)
}
process.on("SIGINT", () => void stop())
process.on("SIGTERM", () => void stop())

await world.connect(url)
say(`the App is installed on ${REPOSITORY}; @octocat comments "/patchplane ${PROMPT}"`)
const sent = await world.request(PROMPT)
if (sent.status !== 200) throw new Error(`PatchPlane answered the webhook with ${sent.status}`)

interface Detail {
  readonly run: {
    readonly id: string
    readonly state: string
    readonly reason: string | null
    readonly pullRequestNumber: number | null
  }
}
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

// Follow the run; play the repository's CI once the draft PR is open.
let last = ""
let reviewed = false
for (;;) {
  const { run } = await api<Detail>(`/api/runs/${runId}`)
  const line = `${run.state}${run.reason ? ` (${run.reason})` : ""}`
  if (line !== last) say(`run ${run.id.slice(0, 8)}: ${(last = line)}`)
  if (run.pullRequestNumber !== null && !reviewed) {
    reviewed = true
    say(`draft PR #${run.pullRequestNumber} opened; the repository's CI runs the review Action…`)
    const review = await world.review(run.pullRequestNumber, url)
    say(`review Action exited with ${review.code}`)
  }
  if (["decided", "failed", "cancelled", "timed_out"].includes(run.state)) break
  await new Promise((done) => setTimeout(done, 500))
}
say(`done. The dashboard stays up at ${signedIn("/")} — press Ctrl-C to stop.`)
