// Check runs on commits that exist in the repository. A conclusion completes
// the run, as on GitHub; open pull requests whose head is the commit are listed.
import { type Context, requireRepo } from "./context.ts"
import { liveShas } from "./routes-pulls.ts"
import { resolveCommit } from "./repo-git.ts"
import {
  field,
  HttpError,
  intParam,
  json,
  notFound,
  paginate,
  route,
  stringField,
  validationFailed,
  type ApiRequest,
  type Route,
} from "./router.ts"
import { refuseReopenedCheck } from "./refusals.ts"
import { checkRunShape } from "./shapes.ts"
import { nodeId, type CheckRun, type Issue, type Repository } from "./state.ts"

const STATUSES = new Set(["queued", "in_progress", "completed"])
const CONCLUSIONS = new Set([
  "success",
  "failure",
  "neutral",
  "cancelled",
  "skipped",
  "timed_out",
  "action_required",
])

/** Applies the writable fields of a create/update body. */
const apply = (run: CheckRun, body: unknown) => {
  const status = stringField(body, "status")
  const conclusion = stringField(body, "conclusion")
  if (status !== undefined && !STATUSES.has(status))
    throw validationFailed([{ resource: "CheckRun", field: "status", code: "invalid" }])
  if (conclusion !== undefined && !CONCLUSIONS.has(conclusion))
    throw validationFailed([{ resource: "CheckRun", field: "conclusion", code: "invalid" }])
  const name = stringField(body, "name")
  if (name !== undefined) run.name = name
  const externalId = stringField(body, "external_id")
  if (externalId !== undefined) run.externalId = externalId
  const detailsUrl = stringField(body, "details_url")
  if (detailsUrl !== undefined) run.detailsUrl = detailsUrl
  const output = field(body, "output")
  if (output !== undefined) {
    const title = stringField(output, "title")
    const summary = stringField(output, "summary")
    if (title === undefined || summary === undefined)
      throw validationFailed([{ resource: "CheckRun", field: "output", code: "missing_field" }])
    run.output = { title, summary, text: stringField(output, "text") ?? null }
  }
  if (status !== undefined) run.status = status as CheckRun["status"]
  if (conclusion !== undefined) {
    run.conclusion = conclusion
    run.status = "completed"
  }
  if (run.status === "completed") {
    if (run.conclusion === null)
      throw new HttpError(422, { message: "Conclusion required if status is completed" })
    run.completedAt ??= new Date()
  }
}

export const checkRoutes = (ctx: Context): ReadonlyArray<Route> => {
  const { store, urls } = ctx
  const pullsAt = async (repo: Repository, sha: string): Promise<ReadonlyArray<Issue>> => {
    const open = store.issues.filter(
      (i) => i.repoId === repo.id && i.pull !== null && i.state === "open",
    )
    const heads = await Promise.all(open.map((i) => liveShas(repo, i)))
    return open.filter((_, n) => heads[n]?.headSha === sha)
  }
  const show = async (repo: Repository, run: CheckRun) =>
    checkRunShape(urls, store, repo, run, await pullsAt(repo, run.headSha))
  const runOf = (repo: Repository, req: ApiRequest) => {
    const id = intParam(req, "id")
    const run = store.checkRuns.find((r) => r.id === id && r.repoId === repo.id)
    if (run === undefined) throw notFound()
    return run
  }
  return [
    route("POST", "/repos/:owner/:repo/check-runs", async (req) => {
      const repo = requireRepo(ctx, req, ["checks", "write"])
      const name = stringField(req.body, "name")
      const headSha = stringField(req.body, "head_sha")
      if (name === undefined || headSha === undefined)
        throw validationFailed([
          ...(name === undefined
            ? [{ resource: "CheckRun", field: "name", code: "missing_field" }]
            : []),
          ...(headSha === undefined
            ? [{ resource: "CheckRun", field: "head_sha", code: "missing_field" }]
            : []),
        ])
      const sha = await resolveCommit(repo.dir, headSha)
      if (sha === null || sha !== headSha.toLowerCase())
        throw new HttpError(422, { message: `No commit found for SHA: ${headSha}` })
      const id = store.nextId("check_run")
      const run: CheckRun = {
        id,
        nodeId: nodeId("CR", id),
        repoId: repo.id,
        suiteId: store.nextId("check_suite"),
        name,
        headSha: sha,
        status: "queued",
        conclusion: null,
        externalId: null,
        detailsUrl: null,
        output: { title: null, summary: null, text: null },
        startedAt: new Date(),
        completedAt: null,
      }
      apply(run, req.body)
      store.checkRuns.push(run)
      return json(201, await show(repo, run))
    }),
    route("PATCH", "/repos/:owner/:repo/check-runs/:id", async (req) => {
      const repo = requireRepo(ctx, req, ["checks", "write"])
      const run = runOf(repo, req)
      // Validate on a copy so a rejected update changes nothing.
      refuseReopenedCheck(run, req.body)
      const draft = structuredClone(run)
      apply(draft, req.body)
      Object.assign(run, draft)
      return json(200, await show(repo, run))
    }),
    route("GET", "/repos/:owner/:repo/check-runs/:id", async (req) => {
      const repo = requireRepo(ctx, req, ["checks", "read"])
      return json(200, await show(repo, runOf(repo, req)))
    }),
    route("GET", "/repos/:owner/:repo/commits/:ref/check-runs", async (req) => {
      const repo = requireRepo(ctx, req, ["checks", "read"])
      const ref = req.params.ref ?? ""
      const sha = await resolveCommit(repo.dir, ref)
      if (sha === null) throw new HttpError(422, { message: `No commit found for SHA: ${ref}` })
      const name = req.query.get("check_name")
      const status = req.query.get("status")
      // Newest first, as GitHub lists them.
      const runs = store.checkRuns
        .filter(
          (r) =>
            r.repoId === repo.id &&
            r.headSha === sha &&
            (name === null || r.name === name) &&
            (status === null || r.status === status),
        )
        .toReversed()
        // filter=latest (the default) keeps only the newest run of each name.
        .filter(
          (r, n, all) =>
            req.query.get("filter") === "all" || all.findIndex((o) => o.name === r.name) === n,
        )
      const { page, headers } = paginate(
        req,
        runs,
        `${urls.api}/repos/${repo.fullName}/commits/${ref}/check-runs`,
      )
      return json(
        200,
        { total_count: runs.length, check_runs: await Promise.all(page.map((r) => show(repo, r))) },
        headers,
      )
    }),
  ]
}
