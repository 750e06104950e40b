// JSON in and out for the control API. Errors always have one shape:
// {"error":{"code","message","path"?}}.
import type { IncomingMessage, ServerResponse } from "node:http"
import type { Schema } from "effect"
import { Api, DecodeError, decodeSyncWith } from "@patchplane/domain"
import { BodyTooLarge, readBoundedBody, sendJson } from "../../platform/http-json.ts"

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly path: string | undefined
  constructor(status: number, code: string, message: string, path?: string) {
    super(message)
    this.status = status
    this.code = code
    this.path = path
  }
}

export { sendJson }

/**
 * Answers with one of the API's shapes (`Api` in @patchplane/domain), which
 * types `body`. JSON.stringify encodes it: the shapes' one transformation,
 * Date → ISO string, is what it does too, whereas a Schema encode would cost
 * a pass over large answers (a run's events) and drop the row columns beyond
 * the shape that answers have always carried.
 */
export const sendAnswer = <S extends Schema.Top>(
  res: ServerResponse,
  status: number,
  _shape: S,
  body: S["Type"],
): void => sendJson(res, status, body)

export const sendError = (res: ServerResponse, error: ApiError): void =>
  sendAnswer(res, error.status, Api.ApiErrorBody, {
    error: {
      code: error.code,
      message: error.message,
      ...(error.path === undefined ? {} : { path: error.path }),
    },
  })

const MAX_BODY = 1024 * 1024

/** Reads and decodes a JSON body; bad JSON or a bad field is a 400 naming the field. */
export const readBody = async <S extends Schema.Decoder<unknown>>(
  req: IncomingMessage,
  schema: S,
): Promise<S["Type"]> => {
  const text = (
    await readBoundedBody(req, MAX_BODY).catch((error: unknown) => {
      if (error instanceof BodyTooLarge)
        throw new ApiError(413, "body_too_large", `body exceeds ${MAX_BODY} bytes`)
      throw error
    })
  ).toString("utf8")
  let raw: unknown = {}
  if (text.trim() !== "") {
    try {
      raw = JSON.parse(text)
    } catch (error) {
      throw new ApiError(400, "malformed_json", `malformed JSON body: ${(error as Error).message}`)
    }
  }
  try {
    return decodeSyncWith(schema, "request body")(raw)
  } catch (error) {
    if (error instanceof DecodeError) {
      const first = error.issues[0]
      throw new ApiError(
        400,
        "invalid_body",
        error.issues.map((i) => `${i.path}: ${i.message}`).join("; "),
        first?.path,
      )
    }
    throw error
  }
}
