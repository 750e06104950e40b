// GitHub Actions as the REST description answers it: workflow runs
// (actions/list-workflow-runs-for-repo, actions/get-workflow-run), their jobs
// (actions/list-jobs-for-workflow-run), a job's log (actions/download-job-logs-
// for-workflow-run: a 302 to a plain-text download) and re-running the failed
// jobs (actions/re-run-workflow-failed-jobs: 201, the run queued again with
// run_attempt + 1). A test completes a run with `completeWorkflowRun`, saying
// what each job concludes now and on a re-run; completion and re-runs deliver
// `workflow_run.completed` as GitHub does.
import type { Context } from "./context.ts"
import { requireRepo } from "./context.ts"
import { type CommitInfo, commitInfo } from "./repo-git.ts"
import { HttpError, intParam, json, notFound, paginate, route, type Route } from "./router.ts"
import { iso, repoShape, userShape, type Urls } from "./shapes.ts"
import { nodeId, type Repository, type Store, type User } from "./state.ts"

export interface ScriptedJob {
  readonly name: string
  readonly conclusion: "success" | "failure"
  readonly log: string
  /** What this job concludes when re-run (default: the same again). */
  readonly onRerun?: { readonly conclusion: "success" | "failure"; readonly log: string }
}

export interface CompletedWorkflowRun {
  readonly name: string
  /** The workflow file, e.g. .github/workflows/ci.yml */
  readonly path: string
  readonly headSha: string
  readonly headBranch: string
  readonly pullNumber: number | null
  readonly actor: string
  readonly jobs: ReadonlyArray<ScriptedJob>
}

interface Job {
  readonly id: number
  readonly name: string
  readonly attempt: number
  conclusion: "success" | "failure"
  log: string
  readonly script: ScriptedJob
  readonly startedAt: Date
}

interface WorkflowRun {
  readonly id: number
  readonly workflowId: number
  readonly repoId: number
  readonly input: CompletedWorkflowRun
  readonly actor: User
  readonly createdAt: Date
  /** The head commit as the run saw it (GitHub's `head_commit`). */
  readonly headCommit: CommitInfo | null
  attempt: number
  status: "queued" | "in_progress" | "completed"
  conclusion: "success" | "failure" | null
  updatedAt: Date
  jobs: Array<Job>
}

const runs = new WeakMap<Store, Array<WorkflowRun>>()
const runsOf = (store: Store) => runs.get(store) ?? runs.set(store, []).get(store) ?? []

const conclude = (jobs: ReadonlyArray<Job>) =>
  jobs.every((j) => j.conclusion === "success") ? ("success" as const) : ("failure" as const)

export const workflowRunShape = (urls: Urls, repo: Repository, run: WorkflowRun) => {
  const api = `${urls.api}/repos/${repo.fullName}/actions/runs/${run.id}`
  const repoRef = { id: repo.id, name: repo.name, url: `${urls.api}/repos/${repo.fullName}` }
  return {
    id: run.id,
    name: run.input.name,
    node_id: nodeId("WFR", run.id),
    head_branch: run.input.headBranch,
    head_sha: run.input.headSha,
    path: run.input.path,
    display_title: run.input.name,
    run_number: run.id,
    event: "pull_request",
    status: run.status,
    conclusion: run.conclusion,
    workflow_id: run.workflowId,
    run_attempt: run.attempt,
    url: api,
    html_url: `${urls.web}/${repo.fullName}/actions/runs/${run.id}`,
    jobs_url: `${api}/jobs`,
    logs_url: `${api}/logs`,
    rerun_url: `${api}/rerun`,
    cancel_url: `${api}/cancel`,
    artifacts_url: `${api}/artifacts`,
    check_suite_url: `${urls.api}/repos/${repo.fullName}/check-suites/${run.id}`,
    check_suite_id: run.id,
    check_suite_node_id: nodeId("CS", run.id),
    previous_attempt_url: run.attempt > 1 ? `${api}/attempts/${run.attempt - 1}` : null,
    head_commit:
      run.headCommit === null
        ? null
        : {
            id: run.headCommit.sha,
            tree_id: run.headCommit.tree,
            message: run.headCommit.message,
            timestamp: run.headCommit.committer.date,
            author: { name: run.headCommit.author.name, email: run.headCommit.author.email },
            committer: {
              name: run.headCommit.committer.name,
              email: run.headCommit.committer.email,
            },
          },
    workflow_url: `${urls.api}/repos/${repo.fullName}/actions/workflows/${run.workflowId}`,
    pull_requests:
      run.input.pullNumber === null
        ? []
        : [
            {
              id: run.input.pullNumber,
              number: run.input.pullNumber,
              url: `${urls.api}/repos/${repo.fullName}/pulls/${run.input.pullNumber}`,
              head: { ref: run.input.headBranch, sha: run.input.headSha, repo: repoRef },
              base: { ref: repo.defaultBranch, sha: run.input.headSha, repo: repoRef },
            },
          ],
    created_at: iso(run.createdAt),
    updated_at: iso(run.updatedAt),
    run_started_at: iso(run.createdAt),
    actor: userShape(urls, run.actor),
    triggering_actor: userShape(urls, run.actor),
    repository: repoShape(urls, repo),
    head_repository: repoShape(urls, repo),
  }
}

const jobShape = (urls: Urls, repo: Repository, run: WorkflowRun, job: Job) => ({
  id: job.id,
  run_id: run.id,
  run_url: `${urls.api}/repos/${repo.fullName}/actions/runs/${run.id}`,
  run_attempt: job.attempt,
  node_id: nodeId("CR", job.id),
  head_sha: run.input.headSha,
  head_branch: run.input.headBranch,
  url: `${urls.api}/repos/${repo.fullName}/actions/jobs/${job.id}`,
  html_url: `${urls.web}/${repo.fullName}/actions/runs/${run.id}/job/${job.id}`,
  status: "completed",
  conclusion: job.conclusion,
  created_at: iso(job.startedAt),
  started_at: iso(job.startedAt),
  completed_at: iso(job.startedAt),
  name: job.name,
  steps: [],
  check_run_url: `${urls.api}/repos/${repo.fullName}/check-runs/${job.id}`,
  labels: ["ubuntu-latest"],
  runner_id: 1,
  runner_name: "GitHub Actions 1",
  runner_group_id: 1,
  runner_group_name: "GitHub Actions",
  workflow_name: run.input.name,
})

export interface ActionsHooks {
  /** Delivers a webhook as GitHub would (the stand-in's delivery log records it). */
  readonly deliver: (event: string, payload: Record<string, unknown>) => Promise<unknown>
}

const completedPayload = (ctx: Context, repo: Repository, run: WorkflowRun) => ({
  action: "completed",
  workflow_run: workflowRunShape(ctx.urls, repo, run),
  workflow: {
    id: run.workflowId,
    node_id: nodeId("W", run.workflowId),
    name: run.input.name,
    path: run.input.path,
    state: "active",
    created_at: iso(run.createdAt),
    updated_at: iso(run.createdAt),
    url: `${ctx.urls.api}/repos/${repo.fullName}/actions/workflows/${run.workflowId}`,
    html_url: `${ctx.urls.web}/${repo.fullName}/blob/${repo.defaultBranch}/${run.input.path}`,
    badge_url: `${ctx.urls.web}/${repo.fullName}/workflows/${encodeURIComponent(run.input.name)}/badge.svg`,
  },
  repository: repoShape(ctx.urls, repo),
  sender: userShape(ctx.urls, run.actor),
  installation: { id: repo.installationId, node_id: nodeId("II", repo.installationId) },
})

/** A workflow run that completed now; delivers `workflow_run.completed`. Returns its id. */
export const completeWorkflowRun = async (
  ctx: Context,
  repo: Repository,
  input: CompletedWorkflowRun,
  hooks: ActionsHooks,
): Promise<number> => {
  const { store } = ctx
  const id = store.nextId("workflow_run")
  const now = new Date()
  const run: WorkflowRun = {
    id,
    workflowId: 1000 + input.path.length,
    repoId: repo.id,
    input,
    actor: store.user(input.actor),
    createdAt: now,
    headCommit: await commitInfo(repo.dir, input.headSha),
    attempt: 1,
    status: "completed",
    conclusion: null,
    updatedAt: now,
    jobs: input.jobs.map((script) => ({
      id: store.nextId("job"),
      name: script.name,
      attempt: 1,
      conclusion: script.conclusion,
      log: script.log,
      script,
      startedAt: now,
    })),
  }
  run.conclusion = conclude(run.jobs)
  runsOf(store).push(run)
  await hooks.deliver("workflow_run", completedPayload(ctx, repo, run))
  return id
}

export const actionRoutes = (ctx: Context, hooks: ActionsHooks): ReadonlyArray<Route> => {
  const { store, urls } = ctx
  const read = ["actions", "read"] as const
  const runOf = (repo: Repository, id: number) => {
    const run = runsOf(store).find((r) => r.id === id && r.repoId === repo.id)
    if (run === undefined) throw notFound()
    return run
  }
  const jobOf = (repo: Repository, id: number) => {
    for (const run of runsOf(store).filter((r) => r.repoId === repo.id)) {
      const job = run.jobs.find((j) => j.id === id)
      if (job !== undefined) return job
    }
    throw notFound()
  }
  return [
    route("GET", "/repos/:owner/:repo/actions/runs", (req) => {
      const repo = requireRepo(ctx, req, read)
      const sha = req.query.get("head_sha")
      const all = runsOf(store)
        .filter((r) => r.repoId === repo.id && (sha === null || r.input.headSha === sha))
        .toReversed()
        .map((r) => workflowRunShape(urls, repo, r))
      const { page, headers } = paginate(
        req,
        all,
        `${urls.api}/repos/${repo.fullName}/actions/runs`,
      )
      return json(200, { total_count: all.length, workflow_runs: page }, headers)
    }),
    route("GET", "/repos/:owner/:repo/actions/runs/:id", (req) => {
      const repo = requireRepo(ctx, req, read)
      return json(200, workflowRunShape(urls, repo, runOf(repo, intParam(req, "id"))))
    }),
    route("GET", "/repos/:owner/:repo/actions/runs/:id/jobs", (req) => {
      const repo = requireRepo(ctx, req, read)
      const run = runOf(repo, intParam(req, "id"))
      // filter=latest (the default) shows each job's newest attempt only.
      const all = run.jobs.map((j) => jobShape(urls, repo, run, j))
      const { page, headers } = paginate(
        req,
        all,
        `${urls.api}/repos/${repo.fullName}/actions/runs/${run.id}/jobs`,
      )
      return json(200, { total_count: all.length, jobs: page }, headers)
    }),
    // GitHub answers 302 with a short-lived download URL for the plain-text log.
    route("GET", "/repos/:owner/:repo/actions/jobs/:id/logs", (req) => {
      const repo = requireRepo(ctx, req, read)
      const job = jobOf(repo, intParam(req, "id"))
      return {
        status: 302,
        body: "",
        headers: {
          location: `${urls.api}/repos/${repo.fullName}/actions/jobs/${job.id}/logs/download`,
        },
      }
    }),
    route("GET", "/repos/:owner/:repo/actions/jobs/:id/logs/download", (req) => {
      const repo = requireRepo(ctx, req, read)
      const job = jobOf(repo, intParam(req, "id"))
      return { status: 200, body: job.log, headers: { "content-type": "text/plain" } }
    }),
    route("POST", "/repos/:owner/:repo/actions/runs/:id/rerun-failed-jobs", (req) => {
      const repo = requireRepo(ctx, req, ["actions", "write"])
      const run = runOf(repo, intParam(req, "id"))
      // GitHub refuses to re-run a run that has not completed (403).
      if (run.status !== "completed")
        throw new HttpError(403, { message: "This workflow is already running" })
      run.attempt += 1
      run.status = "queued"
      run.conclusion = null
      const attempt = run.attempt
      run.jobs = run.jobs.map((job) =>
        job.conclusion === "success"
          ? job
          : {
              ...job,
              id: store.nextId("job"),
              attempt,
              conclusion: job.script.onRerun?.conclusion ?? job.conclusion,
              log: job.script.onRerun?.log ?? job.log,
              startedAt: new Date(),
            },
      )
      // The re-run happens after the answer, and completes with its webhook.
      setTimeout(() => {
        run.status = "completed"
        run.conclusion = conclude(run.jobs)
        run.updatedAt = new Date()
        void hooks.deliver("workflow_run", completedPayload(ctx, repo, run)).catch(() => {})
      }, 50)
      return json(201, {})
    }),
  ]
}
