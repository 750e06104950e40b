// Registering the GitHub App with GitHub's App-manifest flow (admin):
//   GET  /api/github/manifest   the manifest, filled in with this server's URLs
//   POST /api/github/manifest   where the browser posts it to GitHub
import { Schema } from "effect"
import { JsonObject } from "../primitives.ts"

export const ManifestInfo = Schema.Struct({
  /** A GitHub App is configured already. */
  configured: Schema.Boolean,
  manifest: JsonObject,
  publicUrl: Schema.String,
  /** GitHub can deliver webhooks to publicUrl (it is not a loopback address). */
  reachableByGitHub: Schema.Boolean,
  /** The config file the App's credentials will be written to. */
  configFile: Schema.String,
})

export const ManifestStartBody = Schema.Struct({
  /** https://github.com (default) or a GitHub Enterprise Server URL. */
  githubUrl: Schema.optionalKey(Schema.String),
  /** Register the App for this organization instead of the signed-in user. */
  organization: Schema.optionalKey(Schema.String),
})

export const ManifestStart = Schema.Struct({
  /** The GitHub form to post the manifest to (with a one-time state). */
  action: Schema.String,
  /** The manifest as JSON text, the form's `manifest` field. */
  manifest: Schema.String,
})
