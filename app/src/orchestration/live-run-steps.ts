// The RunSteps a real deployment executes: a sandbox from the ExecutionAdapter,
// a checkout with a repo-scoped token, the agent behind the RuntimeAdapter,
// and the PatchSet from the sandbox's git. Sandboxes are process-local: after
// a restart a step that needs one provisions it again (fresh sandbox and
// checkout), so the workflow still resumes at the step it was in. The
// PatchSet's commit is pushed before its sandbox goes; the PR is opened after.
import type { Database } from "@patchplane/db"
import { findPatchPlanePullRequest, takeUndeliveredInputs } from "@patchplane/db"
import { Effect, Exit, type ManagedRuntime, Scope } from "effect"
import {
  isWorkflowPath,
  patchSetLimitFindings,
  type RuntimeProfile,
  type SandboxProfile,
} from "@patchplane/domain"
import {
  checkoutRepository,
  collectPatchSet,
  ExecutionAdapter,
  pushBranch,
  revertMerge,
  type RepositoryCheckout,
  runBranch,
  type SandboxHandle,
  savePatchSet,
} from "../execution/index.ts"
import type { GitHubInstallationBroker } from "../platform/github-installation-broker.ts"
import type { Database as DatabaseService } from "../platform/database.ts"
import {
  openRuntimeSession,
  RuntimeAdapter,
  type RuntimeSessionHandle,
  type SessionArtifacts,
  type TurnOutcome,
  sessionBudget,
  sessionRecorder,
} from "../runtime/index.ts"
import type { PublishedPatch } from "../publication/pull-request-publisher.ts"
import type { AgentOutcome, PushedBranch, RunPlan, RunSteps } from "./run-steps.ts"

export type LiveServices =
  | ExecutionAdapter
  | RuntimeAdapter
  | GitHubInstallationBroker
  | DatabaseService

export interface LiveStepsOptions {
  readonly runtime: ManagedRuntime.ManagedRuntime<LiveServices, never>
  readonly db: Database
  readonly sandbox: SandboxProfile
  readonly agent: RuntimeProfile
  /** Where repositories are cloned from: `https://github.com/` or a GHES host. */
  readonly gitBaseUrl: string
  /**
   * Opens the draft PR and marks it ready (publication/pull-request-publisher.ts),
   * given the run's plan so it reads nothing of it again.
   */
  readonly publisher: {
    publish(patch: PublishedPatch, plan: RunPlan): Promise<void>
    publishDecision(plan: RunPlan): Promise<void>
  }
}

/**
 * Branch rules: a request from an issue (or a human's PR) gets its own
 * `patchplane/<run-id>` branch and a new PR based on where it started (the
 * default branch, or that PR's head — never a push to a human's branch); a
 * request on a PatchPlane PR adds commits to that PR's branch.
 */
const publicationTarget = async (
  db: Database,
  plan: RunPlan,
  commit: string,
): Promise<PushedBranch & { force: boolean }> => {
  const own =
    plan.sourcePullRequest === null || plan.revertOf !== null
      ? undefined
      : await findPatchPlanePullRequest(db, plan.repositoryId, plan.sourcePullRequest)
  return own === undefined || plan.sourcePullRequest === null
    ? {
        branch: runBranch(plan.runId),
        commit,
        base: plan.targetRef,
        pullRequest: null,
        force: true,
      }
    : {
        branch: own.headBranch,
        commit,
        base: own.baseBranch,
        pullRequest: plan.sourcePullRequest,
        force: false,
      }
}

interface Held {
  handle: SandboxHandle
  checkout?: RepositoryCheckout
  sessionId?: string
  artifacts?: SessionArtifacts
  /** The agent's session, kept open while an operator decides whether it goes on. */
  paused?: { readonly session: RuntimeSessionHandle; readonly scope: Scope.Closeable } | undefined
}

/**
 * What an interrupted agent is told when an operator lets it go on: their
 * steering messages, or that it may carry on. A session started afresh (the
 * worker restarted meanwhile) gets the task again with the same note.
 */
export const resumePrompt = (steering: ReadonlyArray<string>, task: string | null): string => {
  const note =
    steering.length === 0
      ? "An operator paused you and approved going on: continue the task where you left off."
      : `An operator paused you and says:\n\n${steering.join("\n\n")}\n\nContinue the task with this in mind.`
  return task === null
    ? note
    : `${task}\n\n(You were working on this before a restart; your changes so far are in the working tree.) ${note}`
}

export const makeLiveRunSteps = (options: LiveStepsOptions): RunSteps => {
  const held = new Map<string, Held>()
  const run = <A, E>(effect: Effect.Effect<A, E, LiveServices>) =>
    options.runtime.runPromise(effect)

  const create = async (plan: RunPlan) => {
    const handle = await run(
      Effect.gen(function* () {
        const adapter = yield* ExecutionAdapter
        return yield* adapter.create({ runId: plan.runId, profile: options.sandbox })
      }),
    )
    const entry: Held = { handle }
    held.set(plan.runId, entry)
    return entry
  }

  const repoUrl = (plan: RunPlan) =>
    `${options.gitBaseUrl.replace(/\/+$/, "")}/${plan.repository}.git`

  const checkout = async (plan: RunPlan, entry: Held) => {
    entry.checkout = await run(
      checkoutRepository(entry.handle, {
        runId: plan.runId,
        installationId: plan.installationId,
        repository: plan.repository,
        cloneUrl: repoUrl(plan),
        branch: plan.targetRef,
        contents: "read",
      }),
    )
    return entry.checkout
  }

  /** The run's sandbox with its checkout, provisioned again after a restart. */
  const ensure = async (plan: RunPlan) => {
    const entry = held.get(plan.runId) ?? (await create(plan))
    const tree = entry.checkout ?? (await checkout(plan, entry))
    return { entry, tree }
  }

  return {
    createSandbox: async (plan) => {
      const entry = held.get(plan.runId) ?? (await create(plan))
      return { sandboxId: entry.handle.id, runtimeSessionId: null }
    },
    checkout: async (plan) => {
      await ensure(plan)
    },
    runAgent: async (plan, _sandbox, control): Promise<AgentOutcome> => {
      const { entry, tree } = await ensure(plan)
      if (plan.revertOf !== null) {
        await run(
          revertMerge(
            entry.handle,
            tree.path,
            plan.revertOf.mergeCommitSha,
            plan.revertOf.commitSubjects ?? [],
          ),
        )
        return { kind: "completed" }
      }
      const budget = sessionBudget(plan.policy.budgets, options.agent)
      const paused = entry.paused
      entry.paused = undefined
      // Steering stored while the agent was paused goes into the prompt it resumes with.
      const steering = control.resuming
        ? (await takeUndeliveredInputs(options.db, plan.runId, "steer")).flatMap((input) =>
            input.message ? [input.message] : [],
          )
        : []
      const prompt = !control.resuming
        ? plan.agentPrompt
        : resumePrompt(steering, paused === undefined ? plan.agentPrompt : null)
      // The session outlives this call when an operator interrupts it: its scope is ours to close.
      const scope = paused?.scope ?? (await run(Scope.make()))
      let keep = false
      let outcome: TurnOutcome
      try {
        const ended = await run(
          Effect.gen(function* () {
            const runtime = yield* RuntimeAdapter
            const session =
              paused?.session ??
              (yield* Effect.gen(function* () {
                const row = yield* openRuntimeSession({
                  runId: plan.runId,
                  adapter: runtime.idFor?.(plan.policy.agent.runtime) ?? runtime.id,
                  sandbox: entry.handle,
                  budget,
                  approvalPolicy: plan.policy.approvalMode,
                  sandboxPolicy: options.sandbox.network,
                })
                entry.sessionId = row.id
                const onEvent = yield* sessionRecorder({ runId: plan.runId, sessionId: row.id })
                return yield* runtime.startSession({
                  runId: plan.runId,
                  sessionId: row.id,
                  sandbox: entry.handle,
                  cwd: tree.path,
                  budget,
                  readAgentsMd: plan.policy.agent.readAgentsMd,
                  runtime: plan.policy.agent.runtime,
                  ...(plan.policy.agent.model === undefined
                    ? {}
                    : { model: plan.policy.agent.model }),
                  onEvent,
                })
              }))
            // Operators reach the agent mid-turn: stop, or a steering message.
            const stop = () => void run(runtime.abort(session)).catch(() => {})
            control.signal.addEventListener("abort", stop, { once: true })
            control.onSteer(() => {
              void (async () => {
                for (const input of await takeUndeliveredInputs(options.db, plan.runId, "steer"))
                  if (input.message) await run(runtime.steer(session, input.message))
              })().catch(() => {})
            })
            const turn = yield* runtime.runTurn(session, prompt)
            control.signal.removeEventListener("abort", stop)
            // Interrupted: the session waits, open, for an operator to let it go on.
            const interrupted = turn.status === "aborted" && control.signal.reason === "interrupt"
            if (!interrupted) {
              entry.artifacts = yield* runtime.collectArtifacts(session)
              yield* runtime.terminate(session)
            }
            return { turn, session, interrupted }
          }).pipe(Scope.provide(scope)),
        )
        if (ended.interrupted) {
          entry.paused = { session: ended.session, scope }
          keep = true
        }
        outcome = ended.turn
      } finally {
        if (!keep) await run(Scope.close(scope, Exit.void))
      }
      switch (outcome.status) {
        case "completed":
        case "aborted":
          return { kind: "completed" } // an abort is read from the control signal by the caller
        case "budget_exhausted":
          return { kind: "budget_exhausted", detail: outcome.error ?? "the model budget is spent" }
        case "timeout":
          return { kind: "timed_out", detail: outcome.error ?? "the agent ran out of time" }
        default:
          throw new Error(`the agent failed: ${outcome.error ?? outcome.status}`)
      }
    },
    collectPatchSet: async (plan) => {
      const { entry, tree } = await ensure(plan)
      const collected = await run(
        collectPatchSet({
          sandbox: entry.handle,
          repoPath: tree.path,
          runId: plan.runId,
          runtimeSessionId: entry.sessionId ?? null,
          baseSha: tree.baseSha,
          requestedBy: plan.initiator,
          subject: plan.prompt.split("\n")[0]?.slice(0, 72) ?? `PatchPlane run ${plan.runId}`,
          commands: entry.artifacts?.commands ?? [],
          toolsUsed: entry.artifacts?.toolsUsed ?? [],
        }),
      )
      if (collected.kind === "no-changes") return { kind: "no-changes" }
      const row = await run(savePatchSet(collected.patchSet, collected.diff))
      // Checked before the push: an oversized (or, by policy, binary) change never leaves the sandbox.
      const limits = patchSetLimitFindings(plan.policy.patchSetLimits, collected.patchSet.files)
      if (limits.refuse.length > 0)
        return {
          kind: "refused",
          patchSetId: row.id,
          reason: `the PatchSet was refused by policy (patchSetLimits) and not pushed: ${limits.refuse.join("; ")}`,
        }
      const commit = collected.patchSet.headSha
      if (commit === null) throw new Error("the PatchSet has no head commit to push")
      // Pushed while the sandbox still holds the commit; the PR follows in `publish`.
      const { force, ...target } = await publicationTarget(options.db, plan, commit)
      const pushed = await run(
        pushBranch(entry.handle, {
          installationId: plan.installationId,
          repository: plan.repository,
          url: repoUrl(plan),
          path: tree.path,
          commit,
          branch: target.branch,
          force,
          touchesWorkflows: collected.patchSet.files.some(
            (file) => isWorkflowPath(file.path) || isWorkflowPath(file.previousPath ?? ""),
          ),
        }),
      )
      const base = { kind: "changes" as const, patchSetId: row.id, highRisk: collected.highRisk }
      return pushed.kind === "pushed"
        ? { ...base, pushed: target }
        : { ...base, conflict: pushed.reason }
    },
    destroySandbox: async (plan) => {
      const entry = held.get(plan.runId)
      held.delete(plan.runId)
      if (entry === undefined) return
      // A paused agent goes with its sandbox (the run was stopped while it waited).
      if (entry.paused !== undefined) await run(Scope.close(entry.paused.scope, Exit.void))
      await run(
        Effect.gen(function* () {
          const adapter = yield* ExecutionAdapter
          yield* adapter.destroy(entry.handle).pipe(Effect.ignore)
        }),
      )
    },
    publish: (plan, patch) =>
      options.publisher.publish(
        {
          runId: plan.runId,
          patchSetId: patch.patchSetId,
          ...(patch.pushed === undefined ? {} : { pushed: patch.pushed }),
          ...(patch.conflict === undefined ? {} : { conflict: patch.conflict }),
        },
        plan,
      ),
    publishDecision: (plan) => options.publisher.publishDecision(plan),
  }
}
