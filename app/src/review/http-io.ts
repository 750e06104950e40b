// Reading a bounded JSON body and answering JSON, for the review endpoint.
import type { IncomingMessage } from "node:http"
import { Effect } from "effect"
import { BodyTooLarge, readBoundedBody } from "../platform/http-json.ts"
import { ReviewRequestError } from "./review-errors.ts"

// One way to answer JSON for every endpoint (the control API's).
export { sendAnswer } from "../http/api/http-json.ts"

/** The token of an `Authorization: Bearer <token>` header, if any. */
export const bearerToken = (req: IncomingMessage): string | null => {
  const match = /^bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "")
  return match?.[1] ?? null
}

const isJson = (req: IncomingMessage) =>
  /^application\/json\s*(;|$)/i.test(req.headers["content-type"] ?? "")

/** The body parsed as JSON: 415 if not JSON, 413 over maxBytes, 400 if malformed. */
export const readJsonBody = (
  req: IncomingMessage,
  maxBytes: number,
): Effect.Effect<unknown, ReviewRequestError> =>
  Effect.gen(function* () {
    if (!isJson(req)) {
      req.resume()
      return yield* new ReviewRequestError({
        status: 415,
        code: "unsupported_media_type",
        message: "send the results as application/json",
      })
    }
    const body = yield* Effect.tryPromise({
      try: () => readBoundedBody(req, maxBytes),
      catch: (error) =>
        error instanceof BodyTooLarge
          ? new ReviewRequestError({
              status: 413,
              code: "body_too_large",
              message: `the body is larger than ${maxBytes} bytes`,
            })
          : new ReviewRequestError({
              status: 400,
              code: "bad_request",
              message: "body unreadable",
            }),
    })
    return yield* Effect.try({
      try: (): unknown => JSON.parse(body.toString("utf8")),
      catch: (error) =>
        new ReviewRequestError({
          status: 400,
          code: "invalid_json",
          message: `the body is not JSON: ${error instanceof Error ? error.message : error}`,
        }),
    })
  })
