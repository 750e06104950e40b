"use client"
// Start a run from the dashboard (the dashboard channel) on a connected repository.
import Link from "next/link"
import { useRouter } from "next/navigation"
import { type FormEvent, useEffect, useState } from "react"
import { ApiFailure, apiGet, apiPost, errorMessage } from "../lib/api.ts"
import type {
  ConnectedRepository,
  RepositoriesAnswer,
  StartedRun,
  StartRunBody,
} from "../lib/api-types.ts"
import { roleAtLeast } from "../lib/run-states.ts"
import { useSession } from "../lib/session-context.tsx"
import { Empty, Failure, Loading } from "./states.tsx"

export function PromptForm() {
  const { caller, paused } = useSession()
  const router = useRouter()
  const [repos, setRepos] = useState<ReadonlyArray<ConnectedRepository> | null>(null)
  const [loadError, setLoadError] = useState<string | null>(null)
  const [repository, setRepository] = useState("")
  const [ref, setRef] = useState("")
  const [prompt, setPrompt] = useState("")
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<{ message: string; field: string | undefined } | null>(null)

  const load = () =>
    apiGet<RepositoriesAnswer>("/api/repositories")
      .then((answer) => {
        const active = answer.installations.flatMap((i) => i.repositories.filter((r) => r.active))
        setRepos(active)
        setRepository((current) => current || (active[0]?.fullName ?? ""))
      })
      .catch((failure: unknown) => setLoadError(errorMessage(failure)))
  useEffect(() => void load(), [])

  if (!roleAtLeast(caller.role, "reviewer"))
    return (
      <Empty title="Starting runs needs the reviewer role.">
        You can watch every run from the Runs page.
      </Empty>
    )
  if (loadError !== null)
    return (
      <Failure
        title="Could not load repositories"
        message={loadError}
        onRetry={() => void load()}
      />
    )
  if (repos === null) return <Loading label="Loading repositories…" />
  if (repos.length === 0)
    return (
      <Empty title="No repository is connected yet.">
        Install the GitHub App on a repository first: see{" "}
        <Link href="/repositories">Repositories</Link>.
      </Empty>
    )

  const selected = repos.find((r) => r.fullName === repository)
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const { runId } = await apiPost<StartedRun>("/api/prompts", {
        repository,
        prompt,
        ...(ref.trim() === "" ? {} : { ref: ref.trim() }),
      } satisfies StartRunBody)
      router.push(`/runs/${runId}`)
    } catch (failure) {
      setError({
        message: errorMessage(failure),
        field: failure instanceof ApiFailure ? failure.path : undefined,
      })
      setBusy(false)
    }
  }
  return (
    <form
      className="prompt-form"
      onSubmit={(event) => void submit(event)}
      aria-describedby="prompt-help"
    >
      <p id="prompt-help" className="muted">
        The agent works on a branch of the repository in a sandbox; its changes come back as a draft
        pull request for review.
        {paused ? " Runs are paused: this one waits until an admin resumes." : ""}
      </p>
      <div className="field">
        <label htmlFor="prompt-repo">Repository</label>
        <select
          id="prompt-repo"
          value={repository}
          onChange={(e) => setRepository(e.target.value)}
          required
        >
          {repos.map((r) => (
            <option key={r.id} value={r.fullName}>
              {r.fullName}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="prompt-ref">Branch or ref (optional)</label>
        <input
          id="prompt-ref"
          value={ref}
          placeholder={selected?.defaultBranch ?? "main"}
          onChange={(e) => setRef(e.target.value)}
          aria-invalid={error?.field === "ref"}
        />
      </div>
      <div className="field">
        <label htmlFor="prompt-text">Prompt</label>
        <textarea
          id="prompt-text"
          rows={8}
          value={prompt}
          onChange={(e) => setPrompt(e.target.value)}
          required
          aria-invalid={error?.field === "prompt"}
          placeholder="Describe the change you want, e.g. “Fix the flaky date test in src/time.test.ts”."
        />
      </div>
      {error === null ? null : (
        <p className="form-error" role="alert">
          {error.message}
        </p>
      )}
      <button
        type="submit"
        className="button button-primary"
        disabled={busy || prompt.trim() === ""}
      >
        {busy ? "Starting…" : "Start run"}
      </button>
    </form>
  )
}
