"use client"
// The top bar: navigation, who is signed in, sign-out, and the kill switch
// (admins only), plus the banners every page shows.
import Link from "next/link"
import { usePathname } from "next/navigation"
import { useState } from "react"
import { apiPost, errorMessage } from "../lib/api.ts"
import type { KillSwitchAnswer } from "../lib/api-types.ts"
import { roleAtLeast } from "../lib/run-states.ts"
import { useSession } from "../lib/session-context.tsx"
import { ConfirmDialog, type ConfirmRequest } from "./confirm-dialog.tsx"

const LINKS = [
  { href: "/", label: "Runs" },
  { href: "/new", label: "New run" },
  { href: "/repositories", label: "Repositories" },
  { href: "/deliveries", label: "Deliveries" },
  { href: "/usage", label: "Usage" },
]

const isActive = (pathname: string, href: string) =>
  href === "/" ? pathname === "/" || pathname.startsWith("/runs/") : pathname.startsWith(href)

function KillSwitch() {
  const { paused, setPaused } = useSession()
  const [asking, setAsking] = useState<ConfirmRequest | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const open = () => {
    setError(null)
    setAsking(
      paused
        ? {
            title: "Resume runs?",
            body: "Queued runs start again and new requests run as they arrive.",
            confirmLabel: "Resume runs",
          }
        : {
            title: "Pause all runs?",
            body: "Kill switch: no new run starts until an admin resumes. Runs already working finish unless you cancel them separately.",
            confirmLabel: "Pause runs",
            danger: true,
          },
    )
  }
  const confirm = async () => {
    setBusy(true)
    try {
      const result = await apiPost<KillSwitchAnswer>(
        paused ? "/api/control/resume" : "/api/control/pause",
      )
      setPaused(result.paused)
      setAsking(null)
    } catch (failure) {
      setError(errorMessage(failure))
    } finally {
      setBusy(false)
    }
  }
  return (
    <>
      <button
        type="button"
        className={`button ${paused ? "button-primary" : "button-danger"}`}
        onClick={open}
        aria-pressed={paused}
      >
        {paused ? "Resume runs" : "Pause all runs"}
      </button>
      <ConfirmDialog
        request={asking}
        busy={busy}
        error={error}
        onConfirm={() => void confirm()}
        onCancel={() => setAsking(null)}
      />
    </>
  )
}

export function AppHeader() {
  const pathname = usePathname()
  const { session, caller, paused } = useSession()
  const unconfigured = session.unconfigured ?? []
  return (
    <>
      <header className="topbar">
        <Link href="/" className="brand">
          PatchPlane
        </Link>
        <nav aria-label="Main">
          <ul>
            {LINKS.map((link) => (
              <li key={link.href}>
                <Link
                  href={link.href}
                  aria-current={isActive(pathname, link.href) ? "page" : undefined}
                >
                  {link.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="topbar-end">
          {roleAtLeast(caller.role, "admin") ? <KillSwitch /> : null}
          <span className="whoami">
            {caller.name} <span className={`role role-${caller.role}`}>{caller.role}</span>
          </span>
          {session.auth === "workos" ? (
            <form method="post" action="/api/auth/logout">
              <button type="submit" className="button button-quiet">
                Sign out
              </button>
            </form>
          ) : null}
        </div>
      </header>
      {session.auth === "local" ? (
        <p className="banner banner-info" data-testid="local-mode-banner">
          Local single-operator mode: you act as <strong>admin</strong>, signed in with the token
          PatchPlane printed at start. Only this machine can reach it (it listens on a loopback
          address); configure WorkOS to let a team sign in.
        </p>
      ) : null}
      {paused ? (
        <p className="banner banner-warning" role="status" data-testid="paused-banner">
          Runs are paused (kill switch): no new run starts until an admin resumes.
        </p>
      ) : null}
      {unconfigured.length > 0 ? (
        <p className="banner banner-setup">
          Not configured yet: {unconfigured.join(", ")} (see the README, Configuration).
          {session.github?.configured === false ? (
            <>
              {" "}
              <Link href="/repositories">Set up the GitHub App</Link>
            </>
          ) : null}
        </p>
      ) : null}
    </>
  )
}
