"use client"
// One run, live: the request and who made it (with links to GitHub), the
// controls, stage progress, the agent's timeline, the patch set and its diff,
// the reviews, the decision, the provenance graph and the audit log. The
// run's event stream keeps it current: runtime events append as they come,
// a state change reloads the rest.
import Link from "next/link"
import { useCallback, useEffect, useMemo, useRef, useState } from "react"
import { ApiFailure, apiGet, errorMessage } from "../lib/api.ts"
import type {
  Finding,
  RunDetail,
  EarlierEvents,
  RunRow,
  RunStateChange,
  RuntimeEventRow,
  WorkflowRunState,
} from "../lib/api-types.ts"
import { dateTime, shortId } from "../lib/format.ts"
import { isTerminal, STATE_LABEL } from "../lib/run-states.ts"
import { useSession } from "../lib/session-context.tsx"
import { useEventSource } from "../lib/use-event-source.ts"
import { AgentContextView } from "./agent-context-view.tsx"
import { DecisionView } from "./decision-view.tsx"
import { LiveIndicator } from "./live-indicator.tsx"
import { type DiffFocus, PatchSetView } from "./patch-set-view.tsx"
import { ProvenanceSection } from "./provenance-section.tsx"
import { ReviewResults } from "./review-results.tsx"
import { RoundsView } from "./rounds-view.tsx"
import { RunControls } from "./run-controls.tsx"
import { RunUsageFacts } from "./run-usage.tsx"
import { RunClock } from "./run-clock.tsx"
import { RunDuration } from "./run-duration.tsx"
import { StageProgress } from "./stage-progress.tsx"
import { SteerBox } from "./steer-box.tsx"
import { StateBadge } from "./state-badge.tsx"
import { Empty, Failure, Loading } from "./states.tsx"
import { TimelineView } from "./timeline-view.tsx"
import { PublicationFailures } from "./publication-failures.tsx"
import { TransitionsTable } from "./transitions-table.tsx"

const SECTIONS = [
  ["context", "What the agent saw"],
  ["rounds", "Rounds"],
  ["timeline", "Timeline"],
  ["changes", "Changes"],
  ["reviews", "Reviews"],
  ["decision", "Decision"],
  ["provenance", "Provenance"],
  ["history", "History"],
] as const

export function RunView({ runId }: { runId: string }) {
  const { session } = useSession()
  const [detail, setDetail] = useState<RunDetail | null>(null)
  const [error, setError] = useState<{ status: number; message: string } | null>(null)
  const [events, setEvents] = useState<ReadonlyMap<number, RuntimeEventRow>>(new Map())
  const [focus, setFocus] = useState<DiffFocus | null>(null)
  // Sorted once per new event, not on every render of the page.
  const ordered = useMemo(() => [...events.values()].toSorted((a, b) => a.seq - b.seq), [events])

  /** Adds events not seen yet; one new map per call, none when nothing is new. */
  const addEvents = useCallback((list: ReadonlyArray<RuntimeEventRow>) => {
    setEvents((old) => {
      const fresh = list.filter((e) => !old.has(e.seq))
      if (fresh.length === 0) return old
      const next = new Map(old)
      for (const e of fresh) next.set(e.seq, e)
      return next
    })
  }, [])

  // The stream starts after the events the first load brought: a run with
  // thousands of events is not sent twice, one frame (and one render) each.
  const [streamFrom, setStreamFrom] = useState<number | null>(null)

  const load = useCallback(async () => {
    try {
      const next = await apiGet<RunDetail>(`/api/runs/${runId}`)
      setDetail(next)
      setError(null)
      addEvents(next.events)
      setStreamFrom((from) => from ?? next.events.reduce((max, e) => Math.max(max, e.seq), 0))
    } catch (failure) {
      setError({
        status: failure instanceof ApiFailure ? failure.status : 0,
        message: errorMessage(failure),
      })
    }
  }, [runId, addEvents])
  useEffect(() => void load(), [load])

  const reload = useRef<ReturnType<typeof setTimeout> | null>(null)
  const scheduleReload = () => {
    if (reload.current !== null) clearTimeout(reload.current)
    reload.current = setTimeout(() => void load(), 100)
  }
  const applyRun = (run: Partial<RunRow> & { state: WorkflowRunState }) =>
    setDetail((old) => (old === null ? old : { ...old, run: { ...old.run, ...run } }))

  // The tab names the run and its state, so a background tab shows when it moves on.
  const titleState = detail?.run.state
  useEffect(() => {
    if (titleState !== undefined)
      document.title = `Run ${shortId(runId)} · ${STATE_LABEL[titleState]} · PatchPlane`
  }, [runId, titleState])

  // Events arriving on the stream are applied in batches, one per frame: a run
  // catching up on thousands of events renders a few times, not once per event
  // (and copies the map a few times, not thousands).
  const incoming = useRef<RuntimeEventRow[]>([])
  const frame = useRef<number | null>(null)
  const arrived = (event: RuntimeEventRow) => {
    incoming.current.push(event)
    if (frame.current !== null) return
    frame.current = requestAnimationFrame(() => {
      frame.current = null
      const batch = incoming.current
      incoming.current = []
      addEvents(batch)
    })
  }
  useEffect(
    () => () => {
      if (frame.current !== null) cancelAnimationFrame(frame.current)
    },
    [],
  )

  const loadEarlier = async () => {
    const first = ordered[0]?.seq
    if (first === undefined || first <= 1) return
    const page = await apiGet<EarlierEvents>(`/api/runs/${runId}/earlier-events?before=${first}`)
    addEvents(page.events)
  }

  const status = useEventSource(
    streamFrom === null ? null : `/api/runs/${runId}/events?after=${streamFrom}`,
    {
      "runtime-event": (data) => arrived(data as RuntimeEventRow),
      run: (data) => {
        const change = data as RunStateChange
        applyRun({
          state: change.state,
          ...(change.reason === undefined ? {} : { reason: change.reason }),
        })
        scheduleReload()
      },
    },
  )

  // Whatever changed between the first load and the stream opening (or while it reconnected).
  useEffect(() => {
    if (status === "live") scheduleReload()
    // oxlint-disable-next-line react-hooks/exhaustive-deps -- scheduleReload is stable in effect (a timer ref)
  }, [status])

  if (error !== null)
    return error.status === 404 ? (
      <Empty title={`No run ${runId}.`}>
        <Link href="/">Back to all runs</Link>
      </Empty>
    ) : (
      <Failure title="Could not load the run" message={error.message} onRetry={() => void load()} />
    )
  if (detail === null) return <Loading label="Loading the run…" />

  const { run, request, repository } = detail
  const web = session.github?.webUrl ?? "https://github.com"
  const repoUrl = `${web}/${repository.fullName}`
  const prNumber = run.pullRequestNumber ?? detail.decision?.pullRequestNumber ?? null
  const prUrl = prNumber === null ? null : `${repoUrl}/pull/${prNumber}`
  const issueUrl = request.issueNumber === null ? null : `${repoUrl}/issues/${request.issueNumber}`
  const initiator =
    request.initiator.kind === "github" ? (
      <a href={`${web}/${request.initiator.login}`}>@{request.initiator.login}</a>
    ) : (
      <span>{request.initiator.name} (dashboard)</span>
    )
  const openFinding = (finding: Finding) =>
    setFocus({ file: finding.file, line: finding.line, nonce: Date.now() })
  const version = `${run.state}:${detail.patchSets.length}:${detail.reviews.length}:${detail.decision?.id ?? ""}`

  return (
    <article className="run" data-run-state={run.state}>
      <RunClock state={run.state} transitions={detail.transitions}>
        <header className="run-head">
          <div className="section-head">
            <h1>
              Run <span className="mono">{shortId(run.id)}</span> <StateBadge state={run.state} />
            </h1>
            <LiveIndicator status={status} />
          </div>
          <dl className="facts">
            <div>
              <dt>Repository</dt>
              <dd>
                <a href={repoUrl}>{repository.fullName}</a> @ <code>{request.targetRef}</code>
              </dd>
            </div>
            <div>
              <dt>Requested by</dt>
              <dd>
                {initiator} via {request.sourceChannel.replaceAll("_", " ")} on{" "}
                <time dateTime={request.createdAt}>{dateTime(request.createdAt)}</time>
              </dd>
            </div>
            {issueUrl === null && prUrl === null ? null : (
              <div>
                <dt>On GitHub</dt>
                <dd>
                  {issueUrl === null ? null : <a href={issueUrl}>issue #{request.issueNumber}</a>}
                  {issueUrl !== null && prUrl !== null ? " · " : null}
                  {prUrl === null ? null : <a href={prUrl}>pull request #{prNumber}</a>}
                </dd>
              </div>
            )}
            <RunDuration state={run.state} />
            <RunUsageFacts
              runId={run.id}
              version={`${version}:${Math.floor(ordered.length / 10)}`}
            />
            {run.reason === null ? null : (
              <div>
                <dt>Reason</dt>
                <dd>{run.reason}</dd>
              </div>
            )}
          </dl>
          <blockquote className="prompt" aria-label="Prompt">
            {request.prompt}
          </blockquote>
          <RunControls
            runId={run.id}
            state={run.state}
            onChanged={(changed) => {
              if (changed !== null && changed.id === run.id) applyRun(changed)
              scheduleReload()
            }}
          />
          <StageProgress state={run.state} reason={run.reason} />
          <PublicationFailures failures={detail.publicationFailures} />
        </header>
      </RunClock>
      <nav className="section-nav" aria-label="Run sections">
        {SECTIONS.map(([id, label]) => (
          <a key={id} href={`#${id}`}>
            {label}
          </a>
        ))}
      </nav>
      <section id="context" aria-labelledby="context-heading">
        <h2 id="context-heading">What the agent saw</h2>
        <AgentContextView runId={run.id} version={run.state} />
      </section>
      <section id="rounds" aria-labelledby="rounds-heading">
        <h2 id="rounds-heading">Rounds</h2>
        <RoundsView runId={run.id} version={version} />
      </section>
      <section id="timeline" aria-labelledby="timeline-heading">
        <h2 id="timeline-heading">Timeline</h2>
        <TimelineView
          events={ordered}
          live={!isTerminal(run.state)}
          // Seqs run 1, 2, 3… per run: the earliest loaded one says how many came before.
          unloaded={Math.max(0, (ordered[0]?.seq ?? 1) - 1)}
          loadEarlier={loadEarlier}
        />
        <SteerBox runId={run.id} state={run.state} />
      </section>
      <section id="changes" aria-labelledby="changes-heading">
        <h2 id="changes-heading">Changes</h2>
        <PatchSetView
          runId={run.id}
          patchSets={detail.patchSets}
          reviews={detail.reviews}
          focus={focus}
          runState={run.state}
        />
      </section>
      <section id="reviews" aria-labelledby="reviews-heading">
        <h2 id="reviews-heading">Reviews</h2>
        <ReviewResults reviews={detail.reviews} onFinding={openFinding} runState={run.state} />
      </section>
      <section id="decision" aria-labelledby="decision-heading">
        <h2 id="decision-heading">Decision</h2>
        <DecisionView decision={detail.decision} pullRequestUrl={prUrl} runState={run.state} />
      </section>
      <section id="provenance" aria-labelledby="provenance-heading">
        <h2 id="provenance-heading">Provenance</h2>
        <ProvenanceSection runId={run.id} version={version} />
      </section>
      <section id="history" aria-labelledby="history-heading">
        <h2 id="history-heading">History</h2>
        <TransitionsTable transitions={detail.transitions} />
      </section>
    </article>
  )
}
