// JSON over HTTP for every endpoint PatchPlane serves: the control API, the
// webhook intake, the review endpoint and the model gateway read bodies and
// answer the same way; each keeps its own error shapes and messages.
import type { IncomingMessage, ServerResponse } from "node:http"

export class BodyTooLarge extends Error {
  readonly limit: number
  constructor(limit: number) {
    super(`body exceeds ${limit} bytes`)
    this.limit = limit
  }
}

/**
 * The whole body, or BodyTooLarge once it passes `limit` bytes (at once when
 * the declared length does). The rest of a refused body is discarded, not
 * read into memory, so the refusal can still be answered.
 */
export const readBoundedBody = (req: IncomingMessage, limit: number): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const refuse = () => {
      req.removeAllListeners("data")
      req.resume()
      reject(new BodyTooLarge(limit))
    }
    if (Number(req.headers["content-length"] ?? "0") > limit) return refuse()
    const chunks: Buffer[] = []
    let size = 0
    req.on("data", (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) refuse()
      else chunks.push(chunk)
    })
    req.once("end", () => resolve(Buffer.concat(chunks)))
    req.once("error", reject)
  })

/** Answers JSON (never cached); after a response has started, only ends it. */
export const sendJson = (
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void => {
  if (res.headersSent) return void res.end()
  const text = JSON.stringify(body)
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
    "cache-control": "no-store",
    ...headers,
  })
  res.end(text)
}
