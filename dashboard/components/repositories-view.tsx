"use client"
// The installations and repositories PatchPlane may act on (kept current by
// installation events), each repository with its effective policy and recent
// runs, and a link to install the App on more. Without a GitHub App, the
// registration walkthrough.
import Link from "next/link"
import { useSearchParams } from "next/navigation"
import { useEffect, useState } from "react"
import { apiGet, errorMessage } from "../lib/api.ts"
import type { ConnectedRepository, PolicyAnswer, RepositoriesAnswer } from "../lib/api-types.ts"
import { shortId } from "../lib/format.ts"
import { useSession } from "../lib/session-context.tsx"
import { GitHubAppSetup } from "./github-app-setup.tsx"
import { StateBadge } from "./state-badge.tsx"
import { Empty, Failure, Loading } from "./states.tsx"

function PolicyPanel({ repositoryId }: { repositoryId: string }) {
  const [answer, setAnswer] = useState<PolicyAnswer | null>(null)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    apiGet<PolicyAnswer>(`/api/repositories/${repositoryId}/policy`)
      .then(setAnswer)
      .catch((failure: unknown) => setError(errorMessage(failure)))
  }, [repositoryId])
  if (error !== null) return <Failure title="Could not read the policy" message={error} />
  if (answer === null) return <Loading label="Reading the policy…" />
  return (
    <div className="policy" data-testid="policy">
      <p>
        Source: <code>{answer.source}</code>
        {answer.note === null ? null : <span className="muted"> — {answer.note}</span>}
      </p>
      {answer.issues.length > 0 ? (
        <div role="alert" className="policy-issues">
          <p>
            <strong>The policy file does not decode:</strong>
          </p>
          <ul>
            {answer.issues.map((issue) => (
              <li key={`${issue.path}:${issue.message}`}>
                <code>{issue.path}</code>: {issue.message}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {answer.policy === null ? null : (
        <pre className="policy-json">{JSON.stringify(answer.policy, null, 2)}</pre>
      )}
    </div>
  )
}

function RepositoryRow({ repo, webUrl }: { repo: ConnectedRepository; webUrl: string }) {
  const [open, setOpen] = useState(false)
  return (
    <li className={`repo${repo.active ? "" : " repo-inactive"}`}>
      <div className="repo-head">
        <a href={`${webUrl}/${repo.fullName}`} className="repo-name">
          {repo.fullName}
        </a>
        <span className="muted">
          {repo.private ? "private" : "public"} · default branch <code>{repo.defaultBranch}</code>
        </span>
        {repo.active ? null : <span className="badge badge-cancelled">disconnected</span>}
        <Link href={`/?repo=${encodeURIComponent(repo.fullName)}`}>All runs</Link>
        <button
          type="button"
          className="button button-quiet"
          aria-expanded={open}
          onClick={() => setOpen(!open)}
        >
          {open ? "Hide policy" : "Effective policy"}
        </button>
      </div>
      {repo.recentRuns.length === 0 ? (
        <p className="muted">No runs yet.</p>
      ) : (
        <ul className="recent-runs" aria-label={`Recent runs on ${repo.fullName}`}>
          {repo.recentRuns.map((run) => (
            <li key={run.id}>
              <Link href={`/runs/${run.id}`} className="mono">
                {shortId(run.id)}
              </Link>{" "}
              <StateBadge state={run.state} />
            </li>
          ))}
        </ul>
      )}
      {open ? <PolicyPanel repositoryId={repo.id} /> : null}
    </li>
  )
}

export function RepositoriesView() {
  const { session } = useSession()
  const params = useSearchParams()
  const [answer, setAnswer] = useState<RepositoriesAnswer | null>(null)
  const [error, setError] = useState<string | null>(null)
  const load = () =>
    apiGet<RepositoriesAnswer>("/api/repositories")
      .then((a) => {
        setAnswer(a)
        setError(null)
      })
      .catch((failure: unknown) => setError(errorMessage(failure)))
  useEffect(() => void load(), [])
  const registered = params.get("app")
  const webUrl = session.github?.webUrl ?? "https://github.com"

  if (error !== null)
    return (
      <Failure title="Could not load repositories" message={error} onRetry={() => void load()} />
    )
  if (answer === null) return <Loading label="Loading repositories…" />
  const installUrl = answer.installUrl ?? `${webUrl}/settings/installations`
  return (
    <>
      {!answer.githubConfigured ? (
        <GitHubAppSetup
          registered={
            registered === null
              ? null
              : { slug: registered, config: params.get("config") ?? "patchplane.config.json" }
          }
        />
      ) : (
        <p>
          <a className="button" href={installUrl}>
            Install the App on more repositories
          </a>
        </p>
      )}
      {answer.installations.length === 0 ? (
        answer.githubConfigured ? (
          <Empty title="The App is not installed anywhere yet.">
            <a href={installUrl}>Install it</a> on the repositories PatchPlane may work on; they
            appear here as soon as GitHub tells PatchPlane.
          </Empty>
        ) : null
      ) : (
        answer.installations.map((installation) => (
          <section
            key={installation.id}
            className="installation"
            aria-label={`Installation on ${installation.accountLogin}`}
          >
            <h2>
              {installation.accountLogin}{" "}
              <span className="muted">({installation.accountType})</span>
              {installation.suspendedAt ? (
                <span className="badge badge-failed">suspended</span>
              ) : null}
              {installation.deletedAt ? (
                <span className="badge badge-cancelled">uninstalled</span>
              ) : null}
            </h2>
            {installation.repositories.length === 0 ? (
              <p className="muted">No repositories granted.</p>
            ) : (
              <ul className="repos">
                {installation.repositories.map((repo) => (
                  <RepositoryRow key={repo.id} repo={repo} webUrl={webUrl} />
                ))}
              </ul>
            )}
          </section>
        ))
      )}
    </>
  )
}
