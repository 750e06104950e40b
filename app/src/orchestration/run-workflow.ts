// One WorkflowRun as one durable workflow. It reads like the steps it takes:
// resolve → create sandbox → checkout → run agent → collect PatchSet →
// publish → await review → decide. Each step is checkpointed; after a crash
// the run resumes at the step it was in. Operators act on the database (the
// run row is the truth) and wake the workflow; it re-reads and follows.
import {
  attachPolicyBundle,
  type Database,
  getWorkflowRun,
  insertPendingApproval,
  latestMergeDecision,
  liveRunsOnTarget,
  loadRunContext,
  saveRunContext,
  takeUndeliveredInputs,
} from "@patchplane/db"
import { createHash } from "node:crypto"
import { Effect, Schema } from "effect"
import { type AgentChoices, decodeRepoPolicy, piOnly, REPO_POLICY_PATH } from "@patchplane/policy"
import { assembleContext } from "../context/assemble-context.ts"
import { emptyContext, type GatheredContext } from "../context/context-types.ts"
import type { GatherTarget } from "../context/gather-context.ts"
import { isTerminalState, PolicySpec, type WorkflowRunState } from "@patchplane/domain"
import type { Logger } from "../platform/logger.ts"
import { plannedRunOf } from "../publication/planned-run.ts"
import {
  type StepOptions,
  StepGaveUp,
  type WorkflowBodies,
  type WorkflowIO,
} from "./dbos-engine.ts"
import type { InterruptController } from "./interrupts.ts"
import { advanceRun } from "./run-lifecycle.ts"
import type { AgentOutcome, RunPlan, RunSteps, SandboxRef } from "./run-steps.ts"

export const WAKE_TOPIC = "wake"

export interface RunWorkflowDeps {
  readonly db: Database
  readonly steps: RunSteps
  readonly interrupts: InterruptController
  readonly policyDefaults: PolicySpec
  /** What a repository's policy may choose for its agent (default: Pi on its configured model). */
  readonly agentChoices?: AgentChoices
  /**
   * A repository's own `.github/patchplane.yml` on its default branch (null
   * when it has none); absent when PatchPlane has no GitHub App configured.
   */
  readonly readRepoPolicy?: (target: {
    readonly installationId: number
    readonly repository: string
    readonly ref: string
  }) => Promise<string | null>
  /**
   * Reads the issue or PR and the repository's instructions from GitHub for
   * the agent's context; absent when PatchPlane has no GitHub App configured.
   */
  readonly gatherContext?: (target: GatherTarget) => Promise<GatheredContext>
  /**
   * Best-effort: mirrors the run's state to its status comment and check run.
   * Given the run's plan once it is resolved, so only the run's row is read again.
   */
  readonly publishStatus: (run: string | RunPlan) => Promise<void>
  readonly log: Logger
  /** How long a run waits for review results before asking a human. */
  readonly reviewTimeoutSeconds: number
  /** How long a run waits for a human before it times out. */
  readonly approvalTimeoutSeconds: number
}

/** What a wait returns when an operator stopped the run meanwhile. */
const STOPPED = Symbol("stopped")

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`

/** A step failed for good: the run fails with this reason, shown to the user. */
class StepFailed extends Error {}

/**
 * What went wrong, in words a user can act on: a query wrapper ("Failed
 * query: … params: …") says less than its cause ("Connection terminated").
 */
const failureText = (error: unknown): string => {
  // Every attempt failed: say the failure once (or each different one), with the count.
  if (error instanceof StepGaveUp) {
    const said = [...new Set(error.failures.map(failureText))]
    return `${said.join("; then ")} (${plural(error.attempts, "attempt")})`
  }
  if (!(error instanceof Error)) return String(error)
  const cause = error.cause instanceof Error ? error.cause : null
  if (cause !== null && error.message.startsWith("Failed query:"))
    return `the database could not be used: ${failureText(cause)}`
  return error.message
}

const SANDBOX_STEP: StepOptions = { attempts: 3, intervalSeconds: 1 }

const encodePolicy = Schema.encodeSync(PolicySpec)

/**
 * Checkpointed building blocks both workflows of a run use; `plan` is the
 * run's once resolved (null before: the run is then known by its id alone).
 */
const workflowTools = (
  deps: RunWorkflowDeps,
  runId: string,
  io: WorkflowIO,
  plan: RunPlan | null = null,
) => {
  const { db } = deps
  const publishStatus = () => deps.publishStatus(plan ?? runId)

  /** A checkpointed step whose final failure names the step. */
  const step = <A>(name: string, fn: (signal: AbortSignal) => Promise<A>, options?: StepOptions) =>
    io.step(name, fn, options).catch((error: unknown) => {
      throw new StepFailed(`${name} failed: ${failureText(error)}`)
    })

  /** Moves the run; false when it was stopped meanwhile (cancelled by an operator). */
  const moveTo = (to: WorkflowRunState, reason?: string) =>
    io.step(`state:${to}`, async () => {
      const moved = await advance(db, runId, to, reason ?? null)
      if (moved) await publishStatus()
      return moved
    })

  const state = () =>
    io.step("read-state", async () => (await getWorkflowRun(db, runId))?.state ?? "failed")

  /**
   * Waits durably until `check` yields a value, waking on messages, up to
   * `seconds` (null). Returns STOPPED as soon as an operator stopped the run.
   */
  const waitFor = async <A>(label: string, check: () => Promise<A | null>, seconds: number) => {
    const until = (await io.now()) + seconds * 1000
    for (;;) {
      const found = await io.step(`check:${label}`, async () => {
        const current = (await getWorkflowRun(db, runId))?.state
        if (current === undefined || isTerminalState(current)) return { stopped: true as const }
        return { value: await check() }
      })
      if ("stopped" in found) return STOPPED
      if (found.value !== null) return found.value
      const left = until - (await io.now())
      if (left <= 0) return null
      await io.recv(WAKE_TOPIC, Math.min(30, Math.ceil(left / 1000)))
    }
  }

  /**
   * Parks the run in awaiting_approval with a pendingApprovals row — both in
   * one transaction, so whoever sees the state also sees what is asked — and
   * waits for an operator to move it on. "stopped" if it was stopped first.
   */
  const waitForHuman = async (
    kind: "runtime" | "merge" | "policy",
    reason: string,
    /** Who parked it, when a person did (an operator's interrupt); the workflow otherwise. */
    actor?: string,
  ) => {
    const parked = await io.step(`approval:${kind}`, async () => {
      const moved = await db.transaction(async (tx) => {
        const ok = await advance(tx, runId, "awaiting_approval", reason, actor)
        if (ok) await insertPendingApproval(tx, { workflowRunId: runId, kind, reason })
        return ok
      })
      if (moved) await publishStatus()
      return moved
    })
    if (!parked) return "stopped" as const
    const next = await waitFor(
      "human",
      async () => {
        const current = (await getWorkflowRun(db, runId))?.state
        return current === undefined || current === "awaiting_approval" ? null : current
      },
      deps.approvalTimeoutSeconds,
    )
    if (next === STOPPED) return "stopped" as const
    if (next === null) {
      await moveTo("timed_out", `no operator decision within ${deps.approvalTimeoutSeconds} s`)
      return "timed_out" as const
    }
    return next
  }

  /** Whatever ended, the next run waiting for this PR or branch can go now. */
  const wakeNextOnTarget = async () => {
    if (plan === null) return // stopped before it was planned: it held no PR or branch
    const waiting = await io.step("next-on-target", async () => {
      const live = await liveRunsOnTarget(db, onTarget(plan))
      return live.map((r) => r.id).filter((id) => id !== runId)
    })
    for (const next of waiting) await io.send(next, WAKE_TOPIC, { reason: "target free" })
  }

  /** Fails the run with the reason shown to the user. */
  const fail = async (error: unknown) => {
    const reason =
      error instanceof StepFailed ? error.message : `unexpected error: ${String(error)}`
    deps.log.child({ runId }).error({ reason }, "run failed")
    await moveTo("failed", reason)
  }

  return { step, moveTo, state, waitFor, waitForHuman, wakeNextOnTarget, fail }
}

/**
 * A run is two durable workflows. Execution (queued, counted against the
 * concurrency limits): resolve → sandbox → checkout → agent → collect →
 * publish. Decision (not queued: waiting for reviews or a human must not hold
 * an execution slot): await review → decide.
 */
export const makeRunWorkflows = (deps: RunWorkflowDeps): WorkflowBodies => ({
  execute: async (runId, io) => {
    const { db, steps } = deps
    const unplanned = workflowTools(deps, runId, io)
    // One checkpoint for the whole start: resolve, provision, check the target.
    // The plan is resolved here once; a replay reads it from the checkpoint.
    const start = await unplanned
      .step("resolve", async () => {
        const resolved = await resolvePlan(deps, runId)
        if (resolved === null || !(await advance(deps.db, runId, "provisioning", null)))
          return { plan: null, free: false }
        await deps.publishStatus(resolved)
        return { plan: resolved, free: await isFirstOnTarget(deps.db, resolved) }
      })
      .catch(async (error: unknown) => {
        await unplanned.fail(error)
        return { plan: null, free: false }
      })
    const resolved = start.plan
    if (resolved === null) return "stopped before it started"
    const t = workflowTools(deps, runId, io, resolved)
    let plan = resolved

    let sandbox: SandboxRef | null = null
    try {
      if (!start.free) {
        const free = await t.waitFor(
          "target-free",
          async () => ((await isFirstOnTarget(db, plan)) ? true : null),
          Math.max(1, Math.round((plan.deadline - (await io.now())) / 1000)),
        )
        if (free === STOPPED) return "stopped"
        if (free === null) {
          await t.moveTo("timed_out", "another run held this pull request or branch too long")
          return "timed out"
        }
      }
      // What the agent will see, assembled and stored once (a replay reuses it).
      const agentPrompt = await t.step("context", () => prepareContext(deps, plan), {
        attempts: 3,
        intervalSeconds: 2,
      })
      plan = { ...plan, agentPrompt }
      const ready = plan
      const created = await t.step(
        "create-sandbox",
        (signal) => steps.createSandbox(ready, signal),
        SANDBOX_STEP,
      )
      sandbox = created
      await t.step("checkout", (signal) => steps.checkout(ready, created, signal), SANDBOX_STEP)
      if (!(await t.moveTo("running"))) return "stopped"

      for (let resuming = false; ; resuming = true) {
        const outcome: AgentOutcome = await t.step(resuming ? "resume-agent" : "run-agent", () =>
          runAgentWatched(deps, ready, created, resuming),
        )
        if (outcome.kind === "completed") break
        if (outcome.kind === "budget_exhausted") {
          await t.moveTo("failed", `budget_exhausted: ${outcome.detail}`)
          return "budget exhausted"
        }
        if (outcome.kind === "timed_out") {
          await t.moveTo("timed_out", outcome.detail)
          return "timed out"
        }
        // Interrupted: cancelled (stop) or paused for an operator (resume or stop).
        if (isTerminalState(await t.state())) return "stopped"
        const by = outcome.kind === "interrupted" ? outcome.by : undefined
        const paused = await t.waitForHuman("runtime", `interrupted by ${by ?? "an operator"}`, by)
        if (paused !== "running") return "stopped"
      }

      if (!(await t.moveTo("collecting"))) return "stopped"
      const patch = await t.step(
        "collect",
        (signal) => steps.collectPatchSet(ready, created, signal),
        SANDBOX_STEP,
      )
      await t.step("destroy-sandbox", () => steps.destroySandbox(ready, created))
      sandbox = null
      if (patch.kind === "refused") {
        await t.moveTo("failed", patch.reason)
        return "refused by policy"
      }
      if (!(await t.moveTo("reviewing"))) return "stopped"
      if (patch.kind === "no-changes") {
        await t.moveTo("decided", "no changes: the agent left the repository as it was")
        return "no changes"
      }
      await t.step("publish", () => steps.publish(ready, patch), {
        attempts: 3,
        intervalSeconds: 2,
      })
      // The decision goes on with the plan as resolved (it needs no agent prompt).
      await io.startDecision(runId, resolved)
      return "published; awaiting review"
    } catch (error) {
      await t.fail(error)
      return "failed"
    } finally {
      const left = sandbox
      const owner = plan
      if (left !== null)
        await io
          .step("destroy-sandbox", () => steps.destroySandbox(owner, left))
          // Without its checkpoint (the database is away) the sandbox still goes.
          .catch(() => steps.destroySandbox(owner, left).catch(() => {}))
      // Published or stopped: either way the next run on this conversation may go.
      await t.wakeNextOnTarget()
    }
  },

  decide: async (runId, io, plan) => {
    const t = workflowTools(deps, runId, io, plan)
    // The run is decided either way; a PR left in draft is logged, not a failed run.
    const publishDecision = () =>
      io
        .step("publish-decision", () => deps.steps.publishDecision?.(plan) ?? Promise.resolve(), {
          attempts: 3,
          intervalSeconds: 2,
        })
        .catch((error: unknown) =>
          deps.log.child({ runId }).warn({ err: String(error) }, "could not mark the PR ready"),
        )
    try {
      const decision = await t.waitFor(
        "review",
        () => latestMergeDecision(deps.db, runId).then((d) => d?.state ?? null),
        deps.reviewTimeoutSeconds,
      )
      if (decision === STOPPED) return "stopped"
      if (decision === null || decision === "manual-review" || decision === "conflict") {
        const why = decision === null ? "no review results arrived" : `decision: ${decision}`
        const next = await t.waitForHuman("merge", why)
        if (next === "decided") await publishDecision()
        return `review: ${next}`
      }
      await t.moveTo("decided", `decision: ${decision}`)
      await publishDecision()
      return decision
    } catch (error) {
      await t.fail(error)
      return "failed"
    } finally {
      await t.wakeNextOnTarget()
    }
  },
})

/**
 * The agent's turn, the one long step: it listens for cancel/interrupt/steer
 * on whichever worker runs it and stops at the run's deadline.
 */
const runAgentWatched = async (
  deps: RunWorkflowDeps,
  plan: RunPlan,
  sandbox: SandboxRef,
  resuming: boolean,
): Promise<AgentOutcome> => {
  const watch = deps.interrupts.watch(plan.runId)
  const deadline = AbortSignal.timeout(Math.max(0, plan.deadline - Date.now()))
  // Notifications are fast but not durable (a reconnect can drop one), so the
  // stored truth is also checked every second: a stopped run, or an interrupt
  // waiting in pendingInputs.
  const backstop = new AbortController()
  // Who interrupted, credited when the run parks (History says the operator, not "workflow").
  let interruptedBy: string | undefined
  const takeInterrupts = async () => {
    const taken = await takeUndeliveredInputs(deps.db, plan.runId, "interrupt")
    interruptedBy = taken.at(-1)?.createdBy ?? interruptedBy
    return taken.length > 0
  }
  const interrupted = (): AgentOutcome =>
    interruptedBy === undefined
      ? { kind: "interrupted" }
      : { kind: "interrupted", by: interruptedBy }
  const check = async () => {
    const state = (await getWorkflowRun(deps.db, plan.runId))?.state
    if (state !== "running")
      return backstop.abort(isTerminalState(state ?? "failed") ? "cancel" : "interrupt")
    if (await takeInterrupts()) backstop.abort("interrupt")
  }
  const timer = setInterval(() => void check().catch(() => {}), 1_000)
  const signal = AbortSignal.any([watch.signal, backstop.signal, deadline])
  try {
    // A cancel or interrupt that landed before we started listening must not be missed.
    await check()
    if (backstop.signal.aborted) return interrupted()
    const outcome = await deps.steps.runAgent(plan, sandbox, {
      signal,
      resuming,
      // Steering messages stored before the agent started listening count too.
      onSteer: (handler) => {
        watch.onSteer(handler)
        handler()
      },
    })
    if (deadline.aborted) return { kind: "timed_out", detail: "the run's time budget was spent" }
    if (watch.signal.aborted || backstop.signal.aborted) {
      // This interrupt is handled: it must not stop the agent again when it resumes.
      await takeInterrupts()
      return interrupted()
    }
    return outcome
  } finally {
    clearInterval(timer)
    watch.dispose()
  }
}

/** Moves a run along the transition table; false when the run is already stopped. */
const advance = advanceRun

/** Resolves authority and policy; null when the run was stopped before it started. */
const resolvePlan = async (deps: RunWorkflowDeps, runId: string): Promise<RunPlan | null> => {
  const context = await loadRunContext(deps.db, runId)
  if (context === undefined) throw new Error(`WorkflowRun ${runId} does not exist`)
  const { run, request, repository, installation } = context
  if (isTerminalState(run.state)) return null
  if (!repository.active || installation.suspendedAt !== null || installation.deletedAt !== null)
    throw new Error(`repository ${repository.fullName} is no longer connected to PatchPlane`)
  // The repository's policy is read from its default branch: a change cannot loosen its own rules.
  const text =
    (await deps.readRepoPolicy?.({
      installationId: installation.installationId,
      repository: repository.fullName,
      ref: repository.defaultBranch,
    })) ?? null
  const source =
    text === null
      ? "config"
      : `${repository.fullName}:${REPO_POLICY_PATH}@${repository.defaultBranch}`
  const policy =
    text === null
      ? deps.policyDefaults
      : await Effect.runPromise(
          decodeRepoPolicy(
            text,
            deps.policyDefaults,
            REPO_POLICY_PATH,
            deps.agentChoices ?? piOnly,
          ).pipe(Effect.mapError((error) => new StepFailed(error.message))),
        )
  const spec = encodePolicy(policy) as Record<string, unknown>
  const digest = createHash("sha256").update(JSON.stringify(spec)).digest("hex")
  await attachPolicyBundle(deps.db, runId, {
    name: text === null ? "default" : "repository",
    digest,
    spec,
    source,
  })
  return {
    ...plannedRunOf(context),
    agentPrompt: request.prompt,
    requestCommentId: request.commentId ?? null,
    targetRef: request.targetRef,
    revertOf: request.revertOf ?? null,
    policy,
    deadline: run.createdAt.getTime() + policy.budgets.runTimeoutSeconds * 1000,
  }
}

/**
 * Gathers the run's GitHub context, assembles the agent's prompt from it and
 * stores both with the run; returns the prompt. A revert runs no agent.
 */
const prepareContext = async (deps: RunWorkflowDeps, plan: RunPlan): Promise<string> => {
  if (plan.revertOf !== null) return plan.prompt
  const gathered =
    (await deps.gatherContext?.({
      installationId: plan.installationId,
      repository: plan.repository,
      issueNumber: plan.issueNumber,
      requestCommentId: plan.requestCommentId,
      ref: plan.targetRef,
      policy: plan.policy,
    })) ?? emptyContext
  const assembled = assembleContext({
    instruction: plan.prompt,
    initiator: plan.initiator,
    repository: plan.repository,
    gathered,
    policy: plan.policy.context,
  })
  const stored = await saveRunContext(deps.db, {
    workflowRunId: plan.runId,
    digest: assembled.digest,
    prompt: assembled.prompt,
    parts: assembled.parts.map((p) => ({ ...p })),
    omitted: [...assembled.omitted],
    totalChars: assembled.totalChars,
  })
  return stored.prompt
}

/** The PR or branch a run works on: runs there go one at a time. */
const onTarget = (plan: RunPlan) => ({
  repositoryId: plan.repositoryId,
  targetRef: plan.targetRef,
  issueNumber: plan.issueNumber,
  matchRef: plan.sourcePullRequest !== null,
})

/** Runs on the same PR or branch go one at a time, oldest first. */
const isFirstOnTarget = async (db: Database, plan: RunPlan): Promise<boolean> => {
  const live = await liveRunsOnTarget(db, onTarget(plan))
  return live[0]?.id === plan.runId || live.length === 0
}
