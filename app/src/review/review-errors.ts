// Why a review report was refused. Each error carries the HTTP status and a
// stable code, answered as the API's one error shape (Api.ApiErrorBody).
import type { Api } from "@patchplane/domain"
import { Schema } from "effect"

/** The OIDC token is missing, invalid (signature, expiry, audience, issuer) or cannot be checked yet. */
export class OidcTokenError extends Schema.TaggedError<OidcTokenError>()("OidcTokenError", {
  reason: Schema.Literals(["missing", "invalid", "unavailable"]),
  message: Schema.String,
}) {}

/** A valid token, but not one that may report for this run. */
export class ClaimsRejected extends Schema.TaggedError<ClaimsRejected>()("ClaimsRejected", {
  code: Schema.Literals([
    "repository_mismatch",
    "installation_mismatch",
    "repository_not_connected",
    "ref_mismatch",
    "workflow_not_allowed",
  ]),
  message: Schema.String,
}) {}

/** Anything else the endpoint refuses, already mapped to its HTTP answer. */
export class ReviewRequestError extends Schema.TaggedError<ReviewRequestError>()(
  "ReviewRequestError",
  {
    status: Schema.Int,
    code: Schema.String,
    message: Schema.String,
    path: Schema.optionalKey(Schema.String),
  },
) {}

export type ReviewEndpointError = OidcTokenError | ClaimsRejected | ReviewRequestError

export interface ErrorAnswer {
  readonly status: number
  readonly body: typeof Api.ApiErrorBody.Type
}

export const errorAnswer = (error: ReviewEndpointError): ErrorAnswer => {
  if (error instanceof OidcTokenError) {
    const unavailable = error.reason === "unavailable"
    return {
      status: unavailable ? 503 : 401,
      body: {
        error: {
          code: unavailable ? "issuer_unavailable" : `${error.reason}_token`,
          message: error.message,
        },
      },
    }
  }
  if (error instanceof ClaimsRejected)
    return { status: 403, body: { error: { code: error.code, message: error.message } } }
  return {
    status: error.status,
    body: {
      error: {
        code: error.code,
        message: error.message,
        ...(error.path === undefined ? {} : { path: error.path }),
      },
    },
  }
}
