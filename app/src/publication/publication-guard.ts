// Every GitHub write PatchPlane makes for a run ends here: a few more tries
// after Octokit's own when GitHub had no answer or a passing one (5xx, rate
// limits), then — if it still refuses — a logged and recorded failure the run
// page shows. A write never takes the caller's work down with it, and its
// failure is never swallowed.
import { recordPublicationFailure, type Database } from "@patchplane/db"
import { Duration, Effect, Schedule } from "effect"
import type { Logger } from "../platform/logger.ts"

export interface PublicationGuardDeps {
  readonly db: Database
  readonly log: Logger
}

export interface PublicationStep {
  /** What is written, as the run page names it: "status comment", "check run", … */
  readonly step: string
  /** The run it is for; null before a run exists (a reply to a refused command). */
  readonly runId: string | null
  readonly deliveryId?: string
}

/** Tries in all: Octokit has already retried each 5xx by then. */
const ATTEMPTS = 3

const statusOf = (error: unknown): number | null => {
  const status = (error as { status?: unknown } | null)?.status
  return typeof status === "number" ? status : null
}

/** No answer, a server error or a rate limit may pass; a 4xx refusal will not. */
const passing = (error: unknown): boolean => {
  const status = statusOf(error)
  return status === null || status >= 500 || status === 403 || status === 429
}

const messageOf = (error: unknown): string =>
  error instanceof Error
    ? error.message
    : String((error as { message?: unknown })?.message ?? error)

/** Runs one GitHub write; undefined when it gave up (and that is recorded). */
export const guardPublication = <A, E>(
  deps: PublicationGuardDeps,
  what: PublicationStep,
  write: Effect.Effect<A, E>,
): Effect.Effect<A | undefined> =>
  write.pipe(
    Effect.retry({
      schedule: Schedule.exponential(Duration.millis(250)),
      times: ATTEMPTS - 1,
      while: passing,
    }),
    Effect.map((value): A | undefined => value),
    Effect.catch((error: E) => recordFailure(deps, what, error)),
  )

/** The same for a write made of several steps in Promise code (the run's status). */
export const guardPublicationPromise = (
  deps: PublicationGuardDeps,
  what: PublicationStep,
  write: () => Promise<void>,
): Promise<void> =>
  Effect.runPromise(
    guardPublication(deps, what, Effect.tryPromise({ try: write, catch: (error) => error })).pipe(
      Effect.asVoid,
    ),
  )

const recordFailure = (deps: PublicationGuardDeps, what: PublicationStep, error: unknown) =>
  Effect.promise(async (): Promise<undefined> => {
    const message = messageOf(error)
    const status = statusOf(error)
    const attempts = passing(error) ? ATTEMPTS : 1
    deps.log.warn(
      {
        runId: what.runId,
        deliveryId: what.deliveryId,
        step: what.step,
        status,
        attempts,
        err: message,
      },
      `GitHub ${what.step} failed`,
    )
    if (what.runId === null) return undefined
    await recordPublicationFailure(deps.db, {
      workflowRunId: what.runId,
      step: what.step,
      message: status === null ? message : `HTTP ${status}: ${message}`,
      attempts,
    }).catch((recordError: unknown) =>
      deps.log.error(
        { runId: what.runId, err: messageOf(recordError) },
        "could not record a publication failure",
      ),
    )
    return undefined
  })
