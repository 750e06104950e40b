// The landing page served at / until the operator dashboard (Next.js) mounts
// here: it says what is running and what still needs configuring.
import type { ResolvedConfig } from "../config/load-config.ts"
import { VERSION } from "../version.ts"

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

export const renderHomePage = (config: ResolvedConfig): string => {
  const todo = config.unconfigured.map((part) => `<li>${escape(part)}</li>`).join("")
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PatchPlane</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}
code{background:#f2f2f2;padding:0 .25rem}</style></head>
<body><h1>PatchPlane ${escape(VERSION)}</h1>
<p>The control plane is running. Health: <a href="/api/health"><code>/api/health</code></a>.</p>
${todo === "" ? "<p>Everything is configured.</p>" : `<p>Not configured yet (see the README, Configuration):</p><ul>${todo}</ul>`}
<p>Config file: <code>${escape(config.source ?? "none (embedded defaults)")}</code></p>
</body></html>`
}
