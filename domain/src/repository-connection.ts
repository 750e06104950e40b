import { Schema } from "effect"
import { Id, RepoFullName, Timestamp } from "./primitives.ts"

/** GitHub permission levels an App installation can hold. */
export const PermissionLevel = Schema.Literals(["read", "write", "admin"])

/** A repository PatchPlane may observe and change, through one App installation. */
export const RepositoryConnection = Schema.Struct({
  id: Id,
  installationId: Schema.Int,
  githubRepoId: Schema.Int,
  fullName: RepoFullName,
  defaultBranch: Schema.NonEmptyString,
  private: Schema.Boolean,
  permissions: Schema.Record(Schema.String, PermissionLevel),
  /** Removed from the installation or the installation was suspended/deleted. */
  active: Schema.Boolean,
  createdAt: Timestamp,
  updatedAt: Timestamp,
})
export type RepositoryConnection = typeof RepositoryConnection.Type
