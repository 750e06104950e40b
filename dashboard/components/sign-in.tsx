"use client"
// Shown instead of the dashboard to a visitor who is not signed in.
import { useEffect, useState } from "react"
import type { SessionInfo } from "../lib/api-types.ts"

export function SignIn({ session }: { session: SessionInfo | null }) {
  // Back to the page the visitor asked for (known only in the browser).
  const [returnTo, setReturnTo] = useState("/")
  useEffect(() => setReturnTo(window.location.pathname + window.location.search), [])
  return (
    <main id="main" className="sign-in">
      <h1>PatchPlane</h1>
      {session?.refusal?.code === "not_a_member" ||
      session?.refusal?.code === "auth_unavailable" ? (
        <p className="form-error" role="alert">
          {session.refusal.message}
        </p>
      ) : null}
      {session?.signInUrl ? (
        <>
          <p>Sign in to watch and steer your team&apos;s agent runs.</p>
          <a
            className="button button-primary"
            href={`${session.signInUrl}?returnTo=${encodeURIComponent(returnTo)}`}
          >
            Sign in with WorkOS
          </a>
        </>
      ) : session?.auth === "local" ? (
        <p data-testid="local-sign-in">
          This PatchPlane runs in local single-operator mode. Open the sign-in link it printed when
          it started (<code>http://localhost:PORT/?token=…</code>, a new one at every start), or set{" "}
          <code>api.localToken</code> in <code>patchplane.config.json</code>.
        </p>
      ) : (
        <p>
          This PatchPlane has no sign-in configured and does not listen on a loopback address, so
          the dashboard is not available here. Configure <code>workos</code> in
          <code> patchplane.config.json</code>, or use API tokens (see the README, Dashboard).
        </p>
      )}
    </main>
  )
}
