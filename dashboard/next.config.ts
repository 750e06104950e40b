// Next.js settings for the operator dashboard. It is served by the control
// plane's own HTTP server (a custom server), so no `output: "standalone"`.
import { dirname } from "node:path"
import { fileURLToPath } from "node:url"
import type { NextConfig } from "next"

const here = dirname(fileURLToPath(import.meta.url))

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // `npm run typecheck` checks the dashboard with the rest of the repo; the
  // build does not repeat it (it would double the build time).
  typescript: { ignoreBuildErrors: true },
  // npm workspaces hoist packages to the repository root.
  turbopack: { root: dirname(here) },
}

export default config
