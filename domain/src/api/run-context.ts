// GET /api/runs/:id/context: the stored context of a run (parts, sizes,
// truncations, digest) and the exact prompt the model was given.
import { Schema } from "effect"
import { IsoDate, NonNegativeInt } from "../primitives.ts"
import { RunContextPart } from "../run-context.ts"

export const RunContext = Schema.Struct({
  /** sha256 of `prompt`: the same digest means the model was given the same text. */
  digest: Schema.String,
  /** The exact first message the agent's model received. */
  prompt: Schema.String,
  parts: Schema.Array(RunContextPart),
  /** Parts (or comments) left out whole because the budget was spent. */
  omitted: Schema.Array(Schema.String),
  totalChars: NonNegativeInt,
  createdAt: IsoDate,
})

/** `context` is null until the run has assembled it. */
export const RunContextAnswer = Schema.Struct({ context: Schema.NullOr(RunContext) })
