// Who is calling and what the dashboard should show them:
//   GET /api/session   answered 200 even signed out, so the dashboard can offer sign-in
import { Schema } from "effect"

/** SPEC "Security": admin (all), reviewer (approve, reject, cancel, steer, start), viewer (read). */
export const Role = Schema.Literals(["admin", "reviewer", "viewer"])
export type Role = typeof Role.Type

export const Caller = Schema.Struct({ id: Schema.String, name: Schema.String, role: Role })
export type Caller = typeof Caller.Type

export const SessionInfo = Schema.Struct({
  auth: Schema.Literals(["workos", "local", "token"]),
  signInUrl: Schema.NullOr(Schema.String),
  version: Schema.String,
  caller: Schema.NullOr(Caller),
  /** Why the request is not signed in (the API error it would get). */
  refusal: Schema.NullOr(Schema.Struct({ code: Schema.String, message: Schema.String })),
  // Only for a signed-in caller:
  unconfigured: Schema.optionalKey(Schema.Array(Schema.String)),
  paused: Schema.optionalKey(Schema.Boolean),
  github: Schema.optionalKey(Schema.Struct({ configured: Schema.Boolean, webUrl: Schema.String })),
})
