// CI repair with flake triage. When a GitHub Actions workflow run completes
// red on a PatchPlane PR's head (the review workflow's own result aside), it
// is first re-run once on the same commit (its failed jobs). Green on the
// re-run: recorded as flaky, shown on the run and in its status comment, no
// tokens spent. Red again: a repair round starts on the PR's branch, its
// context holding the failing jobs' log tails — within the round bounds,
// and never for the same failure the previous repair round answered.
import {
  ciTriageOf,
  getCiTriage,
  linkRound,
  roundChain,
  runModelUsage,
  settleCiTriage,
  startCiTriage,
} from "@patchplane/db"
import { Effect } from "effect"
import { failingJobs, failureSignature, isReviewWorkflow } from "../context/ci-failures.ts"
import { type CommandSource, type IntakeDeps, type Outcome, startRun } from "./command-handler.ts"
import { stopChain } from "./review-handler.ts"
import { latestRound, patchPlanePullRequest } from "./patchplane-pull-request.ts"
import { nextRound } from "./round-bounds.ts"
import type { WorkflowRunCompleted } from "./webhook-payloads.ts"

const ignored = (note: string): Outcome => ({ outcome: "ignored", note })
const processed = (note: string): Outcome => ({ outcome: "processed", note })

export const handleWorkflowRunCompleted = (
  deps: IntakeDeps,
  deliveryId: string,
  p: typeof WorkflowRunCompleted.Type,
) =>
  Effect.gen(function* () {
    const wf = p.workflow_run
    const name = wf.name ?? wf.path
    if (isReviewWorkflow({ name, path: wf.path }))
      return ignored("the review workflow's own result is no CI failure")
    const number = wf.pull_requests[0]?.number
    if (number === undefined) return ignored("not on a pull request")
    const target = yield* patchPlanePullRequest(deps, p, number)
    if ("ignored" in target) return ignored(target.ignored)
    const { repository, binding, ref } = target
    const triage = yield* Effect.promise(() => getCiTriage(deps.db, wf.id))

    if (wf.conclusion === "success") {
      if (triage?.outcome !== "rerun-requested") return ignored("CI passed")
      yield* Effect.promise(() => settleCiTriage(deps.db, wf.id, { outcome: "flaky" }))
      yield* Effect.promise(() => deps.publishStatus(triage.workflowRunId))
      return processed(`"${name}" passed on re-run: recorded as flaky`)
    }
    if (wf.conclusion !== "failure") return ignored(`CI concluded ${wf.conclusion ?? "nothing"}`)
    const pr = yield* deps.github.getPullRequest(ref, number)
    if (pr.state !== "open") return ignored("the pull request is not open")
    if (pr.headSha !== wf.head_sha) return ignored("CI ran on an older head of the pull request")
    const round = yield* latestRound(deps, repository.id, number, binding.workflowRunId)
    if ("ignored" in round) return ignored(round.ignored)
    const { previous } = round

    // First failure of this run: re-run its failed jobs once, spending nothing.
    if (triage === undefined) {
      const fresh = yield* Effect.promise(() =>
        startCiTriage(deps.db, {
          repositoryId: repository.id,
          workflowRunId: previous.id,
          githubRunId: wf.id,
          workflowName: name,
          headSha: wf.head_sha,
        }),
      )
      if (fresh) yield* deps.writes.forDelivery(deliveryId).rerunFailedJobs(ref, wf.id)
      return processed(`re-running the failed jobs of "${name}" once`)
    }
    if (triage.outcome !== "rerun-requested") return ignored(`already ${triage.outcome}`)

    // Red again on the same commit: a real failure. Repair, within the bounds.
    const jobs = yield* failingJobs(deps.github, ref, wf.head_sha)
    const failure = failureSignature(jobs.filter((j) => j.runId === wf.id))
    const chain = yield* Effect.promise(() => roundChain(deps.db, previous.id))
    const usage = yield* Effect.promise(() =>
      Promise.all(chain.map((id) => runModelUsage(deps.db, id))),
    )
    const repaired = yield* Effect.promise(() => ciTriageOf(deps.db, chain))
    const previousFailure =
      repaired.filter((t) => t.outcome === "repair-started" || t.outcome === "stopped").at(-1)
        ?.failure ?? null
    const policy = yield* Effect.promise(() => deps.policyFor(repository, ref.installationId))
    const verdict = nextRound({
      rounds: chain.length,
      maxRounds: policy.iterate.maxRounds,
      tokens: usage.reduce((sum, u) => sum + u.inputTokens + u.outputTokens, 0),
      costUsd: usage.reduce((sum, u) => sum + u.costUsd, 0),
      maxTokens: policy.budgets.maxTokens,
      maxCostUsd: policy.budgets.maxCostUsd,
      scores: [],
      failure,
      previousFailure,
    })
    const source: CommandSource = {
      deliveryId,
      channel: "ci_failure",
      installationId: ref.installationId,
      repository: p.repository,
      sender: p.sender,
      text: failure,
      issueNumber: number,
      commentId: null,
      reactionTarget: { kind: "issue", issueNumber: number },
      pullRequest: {
        number,
        headSha: pr.headSha,
        headRef: pr.headRef,
        headRepoFullName: pr.headRepoFullName,
      },
    }
    if (!verdict.go) {
      yield* Effect.promise(() => settleCiTriage(deps.db, wf.id, { outcome: "stopped", failure }))
      return yield* stopChain(deps, source, ref, previous, verdict.reason)
    }
    const jobNames = [...new Set(jobs.map((j) => j.job))].join(", ")
    return yield* startRun(
      deps,
      source,
      ref,
      repository,
      `Make CI pass: workflow "${name}" failed twice on ${wf.head_sha.slice(0, 7)} (failing: ${jobNames}). Find the cause in the log tails and fix it (round ${verdict.round} of at most ${policy.iterate.maxRounds}).`,
      undefined,
      async (run) => {
        await settleCiTriage(deps.db, wf.id, {
          outcome: "repair-started",
          failure,
          repairRunId: run.id,
        })
        await linkRound(deps.db, {
          previousRunId: previous.id,
          runId: run.id,
          round: verdict.round,
          trigger: "ci",
          detail: { githubRunId: wf.id, workflow: name },
        })
      },
    )
  })
