// GET /api/runs/:id/patch-sets/:patchSetId/diff: the PatchSet's unified diff,
// or why it cannot be shown (it is read from GitHub, not stored yet).
import { Schema } from "effect"

export const DiffAnswer = Schema.Union([
  Schema.Struct({
    available: Schema.Literal(true),
    /** Where the diff was read: "github". */
    source: Schema.String,
    diff: Schema.String,
    /** Cut at the API's size limit. */
    truncated: Schema.Boolean,
  }),
  Schema.Struct({ available: Schema.Literal(false), reason: Schema.String }),
])
