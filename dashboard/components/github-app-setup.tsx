"use client"
// Registering the GitHub App from app.yml with GitHub's App-manifest flow:
// the manifest (filled in with this server's URLs) is posted to GitHub, the
// operator confirms there, and GitHub sends them back here; the server stores
// the App's credentials where the config expects them.
import { type FormEvent, useEffect, useRef, useState } from "react"
import { apiGet, apiPost, errorMessage } from "../lib/api.ts"
import type { ManifestInfo, ManifestStart, ManifestStartBody } from "../lib/api-types.ts"
import { roleAtLeast } from "../lib/run-states.ts"
import { useSession } from "../lib/session-context.tsx"
import { Failure, Loading } from "./states.tsx"

export function GitHubAppSetup({
  registered,
}: {
  registered: { slug: string; config: string } | null
}) {
  const { caller } = useSession()
  const [info, setInfo] = useState<ManifestInfo | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [githubUrl, setGithubUrl] = useState("https://github.com")
  const [organization, setOrganization] = useState("")
  const [busy, setBusy] = useState(false)
  const [post, setPost] = useState<{ action: string; manifest: string } | null>(null)
  const form = useRef<HTMLFormElement>(null)
  const admin = roleAtLeast(caller.role, "admin")

  useEffect(() => {
    if (!admin || registered !== null) return
    apiGet<ManifestInfo>("/api/github/manifest")
      .then(setInfo)
      .catch((failure: unknown) => setError(errorMessage(failure)))
  }, [admin, registered])
  // Once the server answered where to post, send the browser to GitHub.
  useEffect(() => {
    if (post !== null) form.current?.submit()
  }, [post])

  if (registered !== null)
    return (
      <div className="setup" role="status">
        <h2>GitHub App registered</h2>
        <p>
          The App <strong>{registered.slug}</strong> was created and its credentials were written
          next to <code>{registered.config}</code> (the private key and webhook secret as files
          readable only by this user). <strong>Restart PatchPlane</strong> to connect it, then
          install it on repositories.
        </p>
      </div>
    )
  if (!admin)
    return (
      <div className="setup">
        <h2>No GitHub App yet</h2>
        <p>An admin registers PatchPlane&apos;s GitHub App from this page.</p>
      </div>
    )
  if (error !== null) return <Failure title="Could not prepare the registration" message={error} />
  if (info === null) return <Loading label="Preparing the App manifest…" />

  const start = async (event: FormEvent) => {
    event.preventDefault()
    setBusy(true)
    setError(null)
    try {
      setPost(
        await apiPost<ManifestStart>("/api/github/manifest", {
          githubUrl,
          ...(organization.trim() === "" ? {} : { organization: organization.trim() }),
        } satisfies ManifestStartBody),
      )
    } catch (failure) {
      setError(errorMessage(failure))
      setBusy(false)
    }
  }

  return (
    <div className="setup" data-testid="github-app-setup">
      <h2>Connect a GitHub App</h2>
      <ol className="steps">
        <li>
          PatchPlane registers its App from <code>app.yml</code> (events and the narrowest
          permissions). GitHub will send webhooks to{" "}
          <code>{info.publicUrl}/api/github/webhooks</code>.
          {info.reachableByGitHub ? null : (
            <strong className="warning-text">
              {" "}
              That address is on this machine, so GitHub cannot reach it: set{" "}
              <code>server.publicUrl</code> to a public URL (for example a tunnel) and restart
              first, or the App is created with its webhook switched off.
            </strong>
          )}
        </li>
        <li>You confirm the App&apos;s name on GitHub and come back here.</li>
        <li>
          Its id, private key and webhook secret are stored for <code>{info.configFile}</code>;
          restart PatchPlane, then install the App on the repositories it may work on.
        </li>
      </ol>
      <form onSubmit={(event) => void start(event)} className="setup-form">
        <div className="field">
          <label htmlFor="setup-github">GitHub</label>
          <input
            id="setup-github"
            type="url"
            value={githubUrl}
            onChange={(e) => setGithubUrl(e.target.value)}
            aria-describedby="setup-github-help"
          />
          <p id="setup-github-help" className="muted">
            https://github.com, or your GitHub Enterprise Server&apos;s address.
          </p>
        </div>
        <div className="field">
          <label htmlFor="setup-org">Organization (optional)</label>
          <input
            id="setup-org"
            value={organization}
            onChange={(e) => setOrganization(e.target.value)}
            aria-describedby="setup-org-help"
          />
          <p id="setup-org-help" className="muted">
            Leave empty to register the App on your personal account.
          </p>
        </div>
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? "Opening GitHub…" : "Register the App on GitHub"}
        </button>
      </form>
      <details>
        <summary>The manifest sent to GitHub</summary>
        <pre>{JSON.stringify(info.manifest, null, 2)}</pre>
      </details>
      {post === null ? null : (
        <form ref={form} method="post" action={post.action} hidden>
          <input type="hidden" name="manifest" value={post.manifest} />
        </form>
      )}
    </div>
  )
}
