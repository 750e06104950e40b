// Every page: who is signed in (asked of the API with the visitor's cookies),
// then the header, the banners and the page, or the sign-in screen.
import type { Metadata, Viewport } from "next"
import type { ReactNode } from "react"
import { AppHeader } from "../components/app-header.tsx"
import { SignIn } from "../components/sign-in.tsx"
import type { SessionInfo } from "../lib/api-types.ts"
import { serverGet } from "../lib/server-api.ts"
import { SessionProvider } from "../lib/session-context.tsx"
// oxlint-disable-next-line import/no-unassigned-import -- global styles
import "./globals.css"

export const metadata: Metadata = {
  title: { default: "PatchPlane", template: "%s · PatchPlane" },
  description: "Operator dashboard: live agent runs, diffs, reviews, provenance and controls.",
}

export const viewport: Viewport = { width: "device-width", initialScale: 1 }

// Every page depends on who is asking.
export const dynamic = "force-dynamic"

const loadSession = async (): Promise<SessionInfo | null> => {
  try {
    const { status, body } = await serverGet<SessionInfo>("/api/session")
    return status === 200 ? body : null
  } catch {
    return null
  }
}

export default async function RootLayout({ children }: { children: ReactNode }) {
  const session = await loadSession()
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        {session === null ? (
          <main id="main" className="sign-in">
            <h1>PatchPlane</h1>
            <p role="alert">The control plane API did not answer. Reload in a moment.</p>
          </main>
        ) : session.caller === null ? (
          <SignIn session={session} />
        ) : (
          <SessionProvider session={session} caller={session.caller}>
            <AppHeader />
            <main id="main" className="page">
              {children}
            </main>
          </SessionProvider>
        )}
      </body>
    </html>
  )
}
