// Every refusal of the HTTP API has this one shape.
import { Schema } from "effect"

export const ApiErrorBody = Schema.Struct({
  error: Schema.Struct({
    code: Schema.String,
    message: Schema.String,
    /** The request field at fault, e.g. "prompt" or "reviewRuns[1].score". */
    path: Schema.optionalKey(Schema.String),
  }),
})
