// Worker-thread entry: sanitises texts posted to it, one at a time. It runs
// off the main thread so a text that makes the Markdown parser slow can be
// stopped (the worker is terminated) without stalling anything else.
import { parentPort } from "node:worker_threads"
import { sanitizeForAgent } from "./sanitize.ts"

// Loaded: the parent starts each text's clock only from here, so start-up
// (module loading on a busy machine) never counts against a text.
// oxlint-disable-next-line unicorn/require-post-message-target-origin
parentPort?.postMessage({ ready: true })

parentPort?.on("message", (request: { id: number; text: string }) => {
  // A worker port, not a window: there is no target origin to give.
  // oxlint-disable-next-line unicorn/require-post-message-target-origin
  parentPort?.postMessage({ id: request.id, text: sanitizeForAgent(request.text) })
})
