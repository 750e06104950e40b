// Judges the stand-in by GitHub's own published description while tests run:
// every REST request body against the operation's request schema, every REST
// response against the schema of the status it answers, and every GraphQL
// document against GitHub's GraphQL schema. A mismatch is recorded; the
// stand-in's close() fails the test run with the list, so neither the
// stand-in nor the app can drift from GitHub unnoticed.
//
// The descriptions are large (13 MB of OpenAPI), so they load once per
// process on first use and each operation's schemas compile on first use.
import { createRequire } from "node:module"
import { readFileSync } from "node:fs"
import { Ajv, type ValidateFunction } from "ajv"
import addFormatsModule from "ajv-formats"

export interface Mismatch {
  readonly kind: "request" | "response" | "graphql" | "unknown-operation" | "webhook"
  readonly method: string
  readonly path: string
  readonly status?: number
  readonly detail: string
  /** What GitHub would say in its 422 (requests only). */
  readonly wording?: string
}

type Json = Record<string, unknown>

interface Operation {
  readonly method: string
  readonly template: string
  readonly pattern: RegExp
  /** Literal segments: the most specific template wins ("/pulls/comments" over "/pulls/{n}"). */
  readonly literals: number
  readonly spec: Json
}

interface Described {
  readonly operations: ReadonlyArray<Operation>
  readonly components: Json
  readonly ajv: Ajv
  readonly compiled: Map<string, ValidateFunction | null>
}

const require = createRequire(import.meta.url)
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv

/** OpenAPI 3.0's `nullable` as JSON Schema: ajv only accepts it next to `type`. */
export const toJsonSchema = (node: unknown): unknown => {
  if (Array.isArray(node)) return node.map(toJsonSchema)
  if (typeof node !== "object" || node === null) return node
  const out: Json = {}
  for (const [key, value] of Object.entries(node)) out[key] = toJsonSchema(value)
  // Erratum: `GET /app/installations` inlines an installation's account as
  // allOf [Simple User, Enterprise], which no account satisfies (a user has no
  // `slug`); the same property is anyOf on `GET /app/installations/{id}`.
  if (Array.isArray(out.allOf) && out.allOf.length === 2) {
    const titles = out.allOf.map((part) => (part as Json).title)
    if (titles.includes("Simple User") && titles.includes("Enterprise")) {
      out.anyOf = out.allOf
      delete out.allOf
    }
  }
  if (out.nullable !== true) return out
  delete out.nullable
  if (typeof out.type === "string") {
    out.type = [out.type, "null"]
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null]
    return out
  }
  return { anyOf: [out, { type: "null" }] }
}

const patternOf = (template: string, greedyLast: boolean): RegExp => {
  const segments = template.split("/")
  const source = segments
    .map((segment, index) =>
      /^\{[^}]+\}$/.test(segment)
        ? greedyLast && index === segments.length - 1
          ? "(.+)"
          : "([^/]+)"
        : segment.replace(/[.+?^${}()|[\]\\]/g, "\\$&"),
    )
    .join("/")
  return new RegExp(`^${source}/?$`)
}

let described: Described | null = null

const describe = (): Described => {
  if (described !== null) return described
  const file = require.resolve("@octokit/openapi/generated/api.github.com.json")
  const doc = JSON.parse(readFileSync(file, "utf8")) as {
    paths: Record<string, Record<string, Json>>
    components: Json
  }
  const components = toJsonSchema(doc.components) as Json
  const operations: Array<Operation> = []
  for (const [template, item] of Object.entries(doc.paths))
    for (const [method, spec] of Object.entries(item)) {
      if (!["get", "post", "put", "patch", "delete"].includes(method)) continue
      const literals = template.split("/").filter((s) => s !== "" && !s.startsWith("{")).length
      // Refs and paths can hold slashes in their last parameter (`git/ref/{ref}`).
      for (const greedy of [false, true])
        operations.push({
          method: method.toUpperCase(),
          template,
          pattern: patternOf(template, greedy),
          literals: literals * 2 + (greedy ? 0 : 1),
          spec,
        })
    }
  operations.sort((a, b) => b.literals - a.literals)
  // inlineRefs: false compiles each shared component (repository, simple-user…) once.
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    validateSchema: false,
    logger: false,
    inlineRefs: false,
  })
  addFormats(ajv)
  ajv.addSchema({ $id: "github", components }, "github")
  described = { operations, components, ajv, compiled: new Map() }
  return described
}

/** Loads GitHub's REST description now (about a second), not inside the first test. */
export const loadDescriptions = (): void => {
  describe()
}

const operationOf = (method: string, path: string): Operation | undefined =>
  describe().operations.find((op) => op.method === method && op.pattern.test(path))

/** Follows `#/components/...` refs of request bodies and responses (not schemas). */
const deref = (node: unknown): Json | undefined => {
  let current = node as Json | undefined
  for (
    let hops = 0;
    current !== undefined && typeof current.$ref === "string" && hops < 5;
    hops++
  ) {
    const parts = (current.$ref as string).replace(/^#\//, "").split("/")
    let target: unknown = { components: describe().components }
    for (const part of parts) target = (target as Json | undefined)?.[part]
    current = target as Json | undefined
  }
  return current
}

const validatorFor = (key: string, schema: unknown): ValidateFunction | null => {
  const { ajv, compiled } = describe()
  const cached = compiled.get(key)
  if (cached !== undefined) return cached
  const converted = toJsonSchema(schema)
  const rewritten =
    converted === undefined
      ? null
      : (JSON.parse(
          JSON.stringify(converted).replaceAll(
            '"$ref":"#/components/',
            '"$ref":"github#/components/',
          ),
        ) as Json)
  const validate = rewritten === null ? null : ajv.compile(rewritten)
  compiled.set(key, validate)
  return validate
}

const jsonSchemaOf = (content: unknown): unknown =>
  ((content as Json | undefined)?.["application/json"] as Json | undefined)?.schema

/**
 * The first error as GitHub's own schema validation words it in a 422
 * "Invalid request." (e.g. "Only 65535 characters are allowed; 65536 were
 * supplied.", "For 'properties/status', \"done\" is not a member of enum.").
 */
export const githubWording = (mismatch: Mismatch): string => mismatch.wording ?? mismatch.detail

const wordingOf = (validate: ValidateFunction, body: unknown): string | undefined => {
  const first = validate.errors?.[0]
  if (first === undefined) return undefined
  const path = first.instancePath.split("/").filter((p) => p !== "")
  let value: unknown = body
  for (const part of path) value = (value as Json | undefined)?.[part]
  const where = `'properties/${path.join("/")}'`
  switch (first.keyword) {
    case "maxLength":
      return `Only ${String(first.params.limit)} characters are allowed; ${String((value as string).length)} were supplied.`
    case "maxItems":
      return `For ${where}, array is too long (maximum is ${String(first.params.limit)}).`
    case "enum":
      return `For ${where}, ${JSON.stringify(value)} is not a member of enum.`
    case "type":
      return `For ${where}, ${JSON.stringify(value)} is not a ${String(first.params.type)}.`
    case "required":
      return `"${String(first.params.missingProperty)}" wasn't supplied.`
    default:
      return `For ${where}, ${first.message ?? "is invalid"}.`
  }
}

export const explain = (validate: ValidateFunction): string =>
  (validate.errors ?? [])
    .slice(0, 30)
    .map((e) => `${e.instancePath || "/"} ${e.message ?? ""} ${JSON.stringify(e.params)}`)
    .join("; ")

/** GitHub's operation for a REST request, e.g. "POST /repos/{owner}/{repo}/pulls". */
export const operationName = (method: string, path: string): string | null => {
  const op = operationOf(method, path)
  return op === undefined ? null : `${op.method} ${op.template}`
}

/** Why a request body is not one GitHub describes, or null when it is. */
export const checkRequest = (method: string, path: string, body: unknown): Mismatch | null => {
  const op = operationOf(method, path)
  if (op === undefined)
    return {
      kind: "unknown-operation",
      method,
      path,
      detail: "no such operation in GitHub's REST description",
    }
  const requestBody = deref(op.spec.requestBody)
  const schema = jsonSchemaOf(requestBody?.content)
  if (schema === undefined) return null
  if (body === null && requestBody?.required !== true) return null
  const validate = validatorFor(`${op.method} ${op.template} request`, schema)
  if (validate === null || validate(body)) return null
  const wording = wordingOf(validate, body)
  return {
    kind: "request",
    method,
    path,
    detail: `${op.template}: ${explain(validate)}`,
    ...(wording === undefined ? {} : { wording }),
  }
}

/** Why a response is not one GitHub describes for this operation and status, or null. */
export const checkResponse = (
  method: string,
  path: string,
  status: number,
  body: unknown,
): Mismatch | null => {
  const op = operationOf(method, path)
  if (op === undefined) return null
  const responses = (op.spec.responses ?? {}) as Json
  const declared = responses[String(status)] ?? responses.default
  if (declared === undefined)
    // GitHub's description lists the successes and the usual refusals of each
    // operation, not every error it can answer (401, 429, 5xx reach them all).
    return status < 300
      ? { kind: "response", method, path, status, detail: `${op.template} declares no ${status}` }
      : null
  const schema = jsonSchemaOf(deref(declared)?.content)
  if (schema === undefined || status === 204) return null
  const validate = validatorFor(`${op.method} ${op.template} ${status}`, schema)
  if (validate === null || validate(body)) return null
  return {
    kind: "response",
    method,
    path,
    status,
    detail: `${op.template} ${status}: ${explain(validate)}`,
  }
}

let graphqlValidate: ((query: string) => ReadonlyArray<{ message: string }>) | null = null

/** Why a GraphQL document is not valid against GitHub's schema, or null. */
export const checkGraphql = async (query: unknown): Promise<Mismatch | null> => {
  if (typeof query !== "string")
    return { kind: "graphql", method: "POST", path: "/graphql", detail: "query is not a string" }
  if (graphqlValidate === null) {
    const module = (await import("@octokit/graphql-schema")) as {
      validate: (query: string) => ReadonlyArray<{ message: string }>
    }
    graphqlValidate = module.validate
  }
  const errors = graphqlValidate(query)
  return errors.length === 0
    ? null
    : {
        kind: "graphql",
        method: "POST",
        path: "/graphql",
        detail: errors.map((e) => e.message).join("; "),
      }
}
