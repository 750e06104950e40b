"use client"
// The runs list: newest first, filtered by repository and state (kept in the
// URL), keyset pages of 50 (fast at any depth), and live: the first page
// follows new runs and state changes from /api/events without a reload;
// deeper pages update the states of the runs they show.
import Link from "next/link"
import { usePathname, useRouter, useSearchParams } from "next/navigation"
import { useCallback, useEffect, useMemo, useRef, useState } from "react"
import { apiGet, errorMessage } from "../lib/api.ts"
import type {
  RepositoriesAnswer,
  RunPage,
  RunRow,
  RunStateChange,
  RunSummaries,
  RunSummary,
} from "../lib/api-types.ts"
import { duration, plural, shortId, timeAgo, usd } from "../lib/format.ts"
import { isTerminal, RUN_STATES, STATE_LABEL } from "../lib/run-states.ts"
import { useEventSource } from "../lib/use-event-source.ts"
import { useNow } from "../lib/use-now.ts"
import { LiveIndicator } from "./live-indicator.tsx"
import { StateBadge } from "./state-badge.tsx"
import { Empty, Failure, Loading } from "./states.tsx"

const PAGE_SIZE = 50
const ACTIVE = "queued,provisioning,running,collecting,reviewing,awaiting_approval"

interface Filters {
  readonly repo: string
  readonly state: string
  readonly cursor: string
}

const query = (filters: Filters) => {
  const params = new URLSearchParams({ limit: String(PAGE_SIZE) })
  if (filters.repo !== "") params.set("repo", filters.repo)
  if (filters.state !== "") params.set("state", filters.state)
  if (filters.cursor !== "") params.set("cursor", filters.cursor)
  return params.toString()
}

/** Request to end (its last change) for a run that ended; so far, for one that goes on. */
const runDuration = (run: RunRow, now: number): string => {
  const end = isTerminal(run.state) ? Date.parse(run.updatedAt) : Math.max(now, Date.now())
  const text = duration(end - Date.parse(run.createdAt))
  return isTerminal(run.state) ? text : `${text}…`
}

export function RunList() {
  const router = useRouter()
  const pathname = usePathname()
  const params = useSearchParams()
  const filters: Filters = {
    repo: params.get("repo") ?? "",
    state: params.get("state") ?? "",
    cursor: params.get("cursor") ?? "",
  }
  const key = query(filters)
  const [page, setPage] = useState<RunPage | null>(null)
  const [summaries, setSummaries] = useState<ReadonlyMap<string, RunSummary>>(new Map())
  const [error, setError] = useState<string | null>(null)
  const [repos, setRepos] = useState<ReadonlyArray<string>>([])
  const [changed, setChanged] = useState<ReadonlySet<string>>(new Set())
  // Cursors of the pages before this one, for "Newer".
  const [history, setHistory] = useState<ReadonlyArray<string>>([])
  const now = useNow(15_000)

  const load = useCallback(async () => {
    try {
      const next = await apiGet<RunPage>(`/api/runs?${key}`)
      setPage(next)
      setError(null)
      const missing = next.runs.map((r) => r.id)
      if (missing.length > 0) {
        const { summaries: found } = await apiGet<RunSummaries>(
          `/api/run-summaries?ids=${missing.join(",")}`,
        )
        setSummaries((old) => new Map([...old, ...found.map((s) => [s.runId, s] as const)]))
      }
    } catch (failure) {
      setError(errorMessage(failure))
    }
  }, [key])

  useEffect(() => {
    setPage(null)
    void load()
  }, [load])

  useEffect(() => {
    apiGet<RepositoriesAnswer>("/api/repositories")
      .then((answer) =>
        setRepos(answer.installations.flatMap((i) => i.repositories.map((r) => r.fullName))),
      )
      .catch(() => setRepos([]))
  }, [])

  // Live updates: refetch the first page (debounced), patch deeper pages in place.
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null)
  const onRun = (data: unknown) => {
    const change = data as RunStateChange
    setChanged((old) => new Set([...old, change.runId]))
    setTimeout(
      () =>
        setChanged((old) => {
          const next = new Set(old)
          next.delete(change.runId)
          return next
        }),
      2_000,
    )
    if (filters.cursor === "") {
      if (pending.current !== null) clearTimeout(pending.current)
      pending.current = setTimeout(() => void load(), 150)
    } else
      setPage((old) =>
        old === null
          ? old
          : {
              ...old,
              runs: old.runs.map((run) =>
                run.id === change.runId
                  ? { ...run, state: change.state, updatedAt: new Date().toISOString() }
                  : run,
              ),
            },
      )
  }
  const status = useEventSource("/api/events", { run: onRun })

  const navigate = (next: Partial<Filters>, keepHistory = false) => {
    const merged = { ...filters, cursor: "", ...next }
    if (!keepHistory) setHistory([])
    const search = new URLSearchParams()
    if (merged.repo !== "") search.set("repo", merged.repo)
    if (merged.state !== "") search.set("state", merged.state)
    if (merged.cursor !== "") search.set("cursor", merged.cursor)
    const text = search.toString()
    router.push(text === "" ? pathname : `${pathname}?${text}`, { scroll: false })
  }

  const repoOptions = useMemo(
    () => (filters.repo !== "" && !repos.includes(filters.repo) ? [filters.repo, ...repos] : repos),
    [repos, filters.repo],
  )

  return (
    <section aria-labelledby="runs-heading">
      <div className="section-head">
        <h1 id="runs-heading">Runs</h1>
        <LiveIndicator status={status} />
      </div>
      <form className="filters" onSubmit={(event) => event.preventDefault()} role="search">
        <div className="field field-inline">
          <label htmlFor="filter-repo">Repository</label>
          <select
            id="filter-repo"
            value={filters.repo}
            onChange={(event) => navigate({ repo: event.target.value })}
          >
            <option value="">All repositories</option>
            {repoOptions.map((repo) => (
              <option key={repo} value={repo}>
                {repo}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-inline">
          <label htmlFor="filter-state">State</label>
          <select
            id="filter-state"
            value={filters.state}
            onChange={(event) => navigate({ state: event.target.value })}
          >
            <option value="">Any state</option>
            <option value={ACTIVE}>Active (not finished)</option>
            {RUN_STATES.map((state) => (
              <option key={state} value={state}>
                {STATE_LABEL[state]}
              </option>
            ))}
          </select>
        </div>
        {filters.repo !== "" || filters.state !== "" ? (
          <button
            type="button"
            className="button button-quiet"
            onClick={() => navigate({ repo: "", state: "" })}
          >
            Clear filters
          </button>
        ) : null}
      </form>
      {error !== null ? (
        <Failure title="Could not load runs" message={error} onRetry={() => void load()} />
      ) : page === null ? (
        <Loading label="Loading runs…" />
      ) : page.runs.length === 0 ? (
        filters.repo !== "" || filters.state !== "" || filters.cursor !== "" ? (
          <Empty title="No runs match these filters.">
            <button
              type="button"
              className="button"
              onClick={() => navigate({ repo: "", state: "" })}
            >
              Show all runs
            </button>
          </Empty>
        ) : (
          <Empty title="No runs yet.">
            Start one from <Link href="/new">New run</Link>, or type{" "}
            <code>/patchplane &lt;prompt&gt;</code> in an issue of a connected repository.
          </Empty>
        )
      ) : (
        <>
          <div className="table-scroll">
            <table className="runs-table" data-testid="runs-table">
              <caption className="visually-hidden">
                Runs, newest first{filters.cursor === "" ? "; updates live" : ""}
              </caption>
              <thead>
                <tr>
                  <th scope="col">State</th>
                  <th scope="col">Run</th>
                  <th scope="col">Repository</th>
                  <th scope="col">Request</th>
                  <th scope="col">By</th>
                  <th scope="col">Cost</th>
                  <th scope="col">Duration</th>
                  <th scope="col">Created</th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                {page.runs.map((run: RunRow) => {
                  const summary = summaries.get(run.id)
                  return (
                    <tr
                      key={run.id}
                      data-run-id={run.id}
                      className={changed.has(run.id) ? "row-changed" : undefined}
                    >
                      <td>
                        <StateBadge state={run.state} />
                      </td>
                      <td>
                        <Link href={`/runs/${run.id}`} className="mono">
                          {shortId(run.id)}
                        </Link>
                      </td>
                      <td>{summary?.repository ?? "…"}</td>
                      <td className="cell-prompt" title={summary?.prompt}>
                        {summary?.prompt ?? ""}
                      </td>
                      <td>{summary?.initiatorLogin ?? ""}</td>
                      <td
                        className="cell-cost"
                        title={
                          summary === undefined
                            ? undefined
                            : `${summary.tokens.toLocaleString("en-US")} tokens`
                        }
                      >
                        {summary === undefined ? "" : usd(summary.costUsd)}
                      </td>
                      <td className="cell-duration">{runDuration(run, now)}</td>
                      <td>
                        <time dateTime={run.createdAt}>{timeAgo(run.createdAt, now)}</time>
                      </td>
                      <td>
                        <time dateTime={run.updatedAt}>{timeAgo(run.updatedAt, now)}</time>
                      </td>
                    </tr>
                  )
                })}
              </tbody>
            </table>
          </div>
          <nav className="pager" aria-label="Pages">
            <button
              type="button"
              className="button"
              disabled={filters.cursor === ""}
              onClick={() => {
                const previous = history.slice(0, -1)
                setHistory(previous)
                navigate({ cursor: history[history.length - 1] ?? "" }, true)
              }}
            >
              ← Newer
            </button>
            <span>
              {plural(page.runs.length, "run")}
              {filters.cursor === "" ? " (latest)" : ""}
            </span>
            <button
              type="button"
              className="button"
              disabled={page.nextCursor === null}
              onClick={() => {
                setHistory([...history, filters.cursor])
                navigate({ cursor: page.nextCursor ?? "" }, true)
              }}
            >
              Older →
            </button>
          </nav>
        </>
      )}
    </section>
  )
}
