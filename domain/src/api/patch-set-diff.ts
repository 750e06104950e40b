// GET /api/runs/:id/patch-sets/:patchSetId/diff: the PatchSet's unified diff,
// or why it cannot be shown. It is stored with the PatchSet; PatchSets
// recorded before that have theirs read from GitHub's compare API.
import { Schema } from "effect"

export const DiffAnswer = Schema.Union([
  Schema.Struct({
    available: Schema.Literal(true),
    /** Where the diff was read: "stored" with the PatchSet, or "github" for older PatchSets. */
    source: Schema.Literals(["stored", "github"]),
    diff: Schema.String,
    /** Cut: at the collection's cap when stored, at the API's size limit from GitHub. */
    truncated: Schema.Boolean,
  }),
  Schema.Struct({ available: Schema.Literal(false), reason: Schema.String }),
])
