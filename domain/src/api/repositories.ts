// What PatchPlane may act on:
//   GET /api/repositories               installations, their repositories, recent runs
//   GET /api/repositories/:id/policy    the effective policy, with decoding errors by field
import { Schema } from "effect"
import { Id, IsoDate, JsonObject } from "../primitives.ts"
import { WorkflowRunState } from "../workflow-run.ts"

/** A connected repository (answers may carry more of its row's columns). */
export const RepositoryRow = Schema.Struct({
  id: Id,
  fullName: Schema.String,
  defaultBranch: Schema.String,
  private: Schema.Boolean,
  active: Schema.Boolean,
})

export const ConnectedRepository = Schema.Struct({
  ...RepositoryRow.fields,
  /** Its newest runs, newest first. */
  recentRuns: Schema.Array(Schema.Struct({ id: Id, state: WorkflowRunState, createdAt: IsoDate })),
})

export const Installation = Schema.Struct({
  id: Id,
  /** GitHub's id of the App installation. */
  installationId: Schema.Int,
  accountLogin: Schema.String,
  accountType: Schema.String,
  suspendedAt: Schema.NullOr(IsoDate),
  deletedAt: Schema.NullOr(IsoDate),
  repositories: Schema.Array(ConnectedRepository),
})

export const RepositoriesAnswer = Schema.Struct({
  installations: Schema.Array(Installation),
  /** Where to install the GitHub App; null when unknown (no App configured, GitHub away). */
  installUrl: Schema.NullOr(Schema.String),
  githubConfigured: Schema.Boolean,
})

export const PolicyAnswer = Schema.Struct({
  /** Where the policy came from: "defaults" or `owner/name@ref:.github/patchplane.yml`. */
  source: Schema.String,
  /** The decoded policy; null when the file does not decode. */
  policy: Schema.NullOr(JsonObject),
  issues: Schema.Array(Schema.Struct({ path: Schema.String, message: Schema.String })),
  note: Schema.NullOr(Schema.String),
})
