import { Schema } from "effect"
import { Id, NonNegativeInt, Timestamp } from "./primitives.ts"

export const FileChange = Schema.Struct({
  path: Schema.NonEmptyString,
  status: Schema.Literals(["added", "modified", "deleted", "renamed"]),
  additions: NonNegativeInt,
  deletions: NonNegativeInt,
  previousPath: Schema.optionalKey(Schema.String),
  /** Size of the file after the change (absent for deletions and older records). */
  bytes: Schema.optionalKey(NonNegativeInt),
  /** git sees binary content (no line counts). */
  binary: Schema.optionalKey(Schema.Boolean),
  /**
   * Why this file's change is high risk beyond its size, e.g. a workflow that
   * hands secrets to code: always a human's decision.
   */
  risk: Schema.optionalKey(Schema.String),
})
export type FileChange = typeof FileChange.Type

/** A change to a dependency manifest or lock file: high risk, reviewed separately. */
export const DependencyChange = Schema.Struct({
  manifest: Schema.NonEmptyString,
  name: Schema.NonEmptyString,
  from: Schema.NullOr(Schema.String),
  to: Schema.NullOr(Schema.String),
})
export type DependencyChange = typeof DependencyChange.Type

/**
 * A GitHub Actions workflow file. Changing one is high risk (it runs with the
 * repository's secrets), and GitHub only accepts the push from a token with
 * the `workflows` permission.
 */
export const isWorkflowPath = (path: string): boolean => path.startsWith(".github/workflows/")

/** The machine-readable result of one agent session. */
export const PatchSet = Schema.Struct({
  id: Id,
  workflowRunId: Id,
  runtimeSessionId: Schema.NullOr(Id),
  branch: Schema.NonEmptyString,
  baseSha: Schema.NullOr(Schema.String),
  headSha: Schema.NullOr(Schema.String),
  files: Schema.Array(FileChange),
  diffSummary: Schema.Struct({
    filesChanged: NonNegativeInt,
    additions: NonNegativeInt,
    deletions: NonNegativeInt,
  }),
  toolsUsed: Schema.Array(Schema.String),
  testsRun: Schema.Array(Schema.String),
  dependencyChanges: Schema.Array(DependencyChange),
  createdAt: Timestamp,
})
export type PatchSet = typeof PatchSet.Type
