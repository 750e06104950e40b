// Shown instead of the dashboard while its production build runs (the first
// `npm start` on a fresh clone, or after the sources changed): the control
// plane is already up, and the page refreshes itself until the build is done.
import type { ResolvedConfig } from "../config/load-config.ts"
import { VERSION } from "../version.ts"

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

export const renderBuildingPage = (
  config: ResolvedConfig,
  progress: ReadonlyArray<string>,
): string => {
  const todo = config.unconfigured.map((part) => `<li>${escape(part)}</li>`).join("")
  const lines = progress.slice(-12).map(escape).join("\n")
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PatchPlane: building the dashboard</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="2">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:3rem auto;padding:0 1rem}
pre{background:#f4f4f5;padding:.75rem;overflow:auto;font-size:13px}</style></head>
<body><main><h1>PatchPlane ${escape(VERSION)}</h1>
<p role="status">The control plane is running; the dashboard is being built (first start, or its
sources changed). This page reloads by itself when it is ready.</p>
${lines === "" ? "" : `<pre aria-label="Build progress">${lines}</pre>`}
${todo === "" ? "" : `<p>Not configured yet (see the README, Configuration):</p><ul>${todo}</ul>`}
<p>Health: <a href="/api/health"><code>/api/health</code></a></p>
</main></body></html>`
}
