// Decoding at every boundary goes through here so that every failure names
// the path of the bad field ("server.port", "reviewers[2].weight").
import { Cause, Effect, Exit, Schema, SchemaIssue } from "effect"

export interface FieldIssue {
  readonly path: string
  readonly message: string
}

export class DecodeError extends Schema.TaggedError<DecodeError>()("DecodeError", {
  /** What was being decoded, e.g. "patchplane.config.json" or "webhook payload". */
  source: Schema.String,
  issues: Schema.Array(Schema.Struct({ path: Schema.String, message: Schema.String })),
}) {
  override get message(): string {
    return formatIssues(this.source, this.issues)
  }
}

const toStandard = SchemaIssue.makeFormatterStandardSchemaV1()

/** `["tags", 1, "name"]` → `tags[1].name`; the empty path is the document root. */
export const formatPath = (path: ReadonlyArray<PropertyKey>): string => {
  let out = ""
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`
    else if (typeof segment === "string" && /^[A-Za-z_$][\w$-]*$/.test(segment))
      out += out === "" ? segment : `.${segment}`
    else out += `[${JSON.stringify(String(segment))}]`
  }
  return out === "" ? "(root)" : out
}

export const issuesOf = (error: Schema.SchemaError): ReadonlyArray<FieldIssue> =>
  toStandard(error.issue).issues.map((issue) => ({
    path: formatPath((issue.path ?? []).map((p) => (typeof p === "object" ? p.key : p))),
    message: issue.message,
  }))

export const formatIssues = (source: string, issues: ReadonlyArray<FieldIssue>): string =>
  [`${source} is invalid:`, ...issues.map((i) => `  - ${i.path}: ${i.message}`)].join("\n")

export interface DecodeOptions {
  /**
   * "error" (default) for our own documents, where an unknown key is a typo;
   * "ignore" for third-party payloads (webhooks), where we read only what we use.
   */
  readonly excess?: "error" | "ignore"
}

const parseOptions = (options: DecodeOptions) =>
  ({ errors: "all", onExcessProperty: options.excess ?? "error" }) as const

/** Decode unknown input, failing with a DecodeError that lists every bad field. */
export const decodeWith =
  <S extends Schema.Decoder<unknown>>(schema: S, source: string, options: DecodeOptions = {}) =>
  (input: unknown): Effect.Effect<S["Type"], DecodeError> => {
    const exit = Schema.decodeUnknownExit(schema)(input, parseOptions(options))
    if (Exit.isSuccess(exit)) return Effect.succeed(exit.value)
    return Effect.fail(decodeErrorFrom(source, exit.cause))
  }

/** The synchronous twin, for plain-TypeScript callers (throws DecodeError). */
export const decodeSyncWith =
  <S extends Schema.Decoder<unknown>>(schema: S, source: string, options: DecodeOptions = {}) =>
  (input: unknown): S["Type"] => {
    const exit = Schema.decodeUnknownExit(schema)(input, parseOptions(options))
    if (Exit.isSuccess(exit)) return exit.value
    throw decodeErrorFrom(source, exit.cause)
  }

const decodeErrorFrom = (source: string, cause: Cause.Cause<Schema.SchemaError>): DecodeError => {
  const error = Cause.squash(cause)
  return new DecodeError({
    source,
    issues: Schema.isSchemaError(error)
      ? issuesOf(error)
      : [{ path: "(root)", message: String(error) }],
  })
}
