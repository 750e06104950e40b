// Sanitising under a CPU bound. The Markdown parser (micromark) is not linear
// on every input — deeply nested quotes or thousands of bracket openers take
// seconds to minutes — so each text is sanitised in a worker thread with a
// deadline. Past it the worker is terminated and the text refused; the main
// thread, and every other delivery, never waits on it. Texts queue for the
// one worker, so the bound also caps how much CPU sanitising can take at once.
import { Worker } from "node:worker_threads"

/** Longer than GitHub lets a comment or issue body be (65,536 characters): refused unread. */
export const MAX_SANITIZED_CHARS = 65_536

export class TextRefused extends Error {}

interface Pending {
  readonly id: number
  readonly text: string
  readonly resolve: (text: string) => void
  readonly reject: (error: Error) => void
}

export interface BoundedSanitizer {
  /** The text as a reviewer sees it rendered; rejects with TextRefused when too long or too slow. */
  readonly sanitize: (text: string) => Promise<string>
  readonly close: () => Promise<void>
}

export const createBoundedSanitizer = (deadlineMs: number): BoundedSanitizer => {
  const queue: Pending[] = []
  let worker: Worker | null = null
  let ready = false
  let current: Pending | null = null
  let timer: NodeJS.Timeout | undefined
  let nextId = 0

  const spawn = () => {
    const created = new Worker(new URL("./sanitize-worker.ts", import.meta.url))
    created.unref()
    created.on("message", (reply: { ready: true } | { id: number; text: string }) => {
      if ("ready" in reply) {
        ready = true
        if (current !== null) startClock(current)
        return
      }
      if (current?.id !== reply.id) return
      clearTimeout(timer)
      const done = current
      current = null
      done.resolve(reply.text)
      pump()
    })
    created.on("error", (error) => fail(error))
    return created
  }
  const fail = (error: Error) => {
    clearTimeout(timer)
    const failed = current
    current = null
    void worker?.terminate()
    worker = null
    ready = false
    failed?.reject(error)
    pump()
  }
  const pump = () => {
    if (current !== null) return
    const next = queue.shift()
    if (next === undefined) return
    current = next
    worker ??= spawn()
    if (ready) startClock(next)
  }
  /** Posts the text to a loaded worker and starts its deadline. */
  const startClock = (pending: Pending) => {
    timer = setTimeout(
      () => fail(new TextRefused(`reading the text took longer than ${deadlineMs} ms`)),
      deadlineMs,
    )
    // oxlint-disable-next-line unicorn/require-post-message-target-origin -- a worker, not a window
    worker?.postMessage({ id: pending.id, text: pending.text })
  }

  return {
    sanitize: (text) => {
      if (text.length > MAX_SANITIZED_CHARS)
        return Promise.reject(
          new TextRefused(`the text is longer than ${MAX_SANITIZED_CHARS} characters`),
        )
      return new Promise((resolve, reject) => {
        queue.push({ id: nextId++, text, resolve, reject })
        pump()
      })
    },
    close: async () => {
      clearTimeout(timer)
      for (const pending of queue.splice(0)) pending.reject(new TextRefused("shutting down"))
      current?.reject(new TextRefused("shutting down"))
      current = null
      await worker?.terminate()
      worker = null
      ready = false
    },
  }
}

/** How long one text may take to sanitise; generous for any real comment (milliseconds). */
const DEADLINE_MS = 5_000
let shared: BoundedSanitizer | undefined

/** Sanitises with the process-wide bounded sanitiser (one worker, created on first use). */
export const sanitizeBounded = (text: string): Promise<string> => {
  shared ??= createBoundedSanitizer(DEADLINE_MS)
  return shared.sanitize(text)
}
