// Small value schemas shared by every record.
import { Effect, Schema } from "effect"

/** Every PatchPlane record id is a UUID (the database generates them). */
export const Id = Schema.String.check(Schema.isUUID(undefined, { expected: "a UUID" }))
export const Timestamp = Schema.Date
/**
 * A moment in an HTTP API answer: a Date where the server builds the answer,
 * an ISO 8601 string in the JSON (what JSON.stringify makes of a Date).
 */
export const IsoDate = Schema.DateFromString
export const NonNegativeInt = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))
export const PositiveInt = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))
/** A score or weight in [0, 1]. */
export const UnitInterval = Schema.Number.check(Schema.isBetween({ minimum: 0, maximum: 1 }))
export const RepoFullName = Schema.String.check(
  Schema.isPattern(/^[\w.-]+\/[\w.-]+$/, { expected: "owner/name" }),
)
export const GitHubLogin = Schema.NonEmptyString
/** A JSON object stored as-is (payload details, resume metadata). */
export const JsonObject = Schema.Record(Schema.String, Schema.Unknown)

/** An optional key that decodes to `value` when absent (config and policy files). */
export const withDefault = <S extends Schema.Top>(value: S["Encoded"]) =>
  Schema.withDecodingDefaultKey<S>(Effect.succeed(value))
