// Judges every webhook the stand-in delivers by GitHub's published webhook
// schemas (`@octokit/openapi-webhooks`): the payload of `issue_comment` with
// action `created` must match `webhook-issue-comment-created`, and so on. A
// mismatch joins the REST mismatches and fails the test run at close(), so
// what PatchPlane's decoders are tested on is what GitHub sends.
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { Ajv, type ValidateFunction } from "ajv"
import addFormatsModule from "ajv-formats"
import { explain, type Mismatch, toJsonSchema } from "./conformance.ts"

type Json = Record<string, unknown>

const require = createRequire(import.meta.url)
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv

interface Described {
  readonly webhooks: Json
  readonly ajv: Ajv
  readonly compiled: Map<string, ValidateFunction | null>
}

let described: Described | null = null

const describe = (): Described => {
  if (described !== null) return described
  const file = require.resolve("@octokit/openapi-webhooks/generated/api.github.com.json")
  const doc = JSON.parse(readFileSync(file, "utf8")) as { webhooks: Json; components: Json }
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    validateSchema: false,
    logger: false,
    inlineRefs: false,
  })
  addFormats(ajv)
  ajv.addSchema({ $id: "webhooks", components: toJsonSchema(doc.components) }, "webhooks")
  described = { webhooks: doc.webhooks, ajv, compiled: new Map() }
  return described
}

/** The description's key for an event and action: `issue_comment` + `created` → `issue-comment-created`. */
const keyOf = (event: string, action: unknown): ReadonlyArray<string> => {
  const base = event.replaceAll("_", "-")
  return typeof action === "string" ? [`${base}-${action.replaceAll("_", "-")}`, base] : [base]
}

const validatorFor = (key: string): ValidateFunction | null | undefined => {
  const { webhooks, ajv, compiled } = describe()
  if (compiled.has(key)) return compiled.get(key)
  const post = (webhooks[key] as Json | undefined)?.post as Json | undefined
  if (post === undefined) return undefined
  const content = (post.requestBody as Json | undefined)?.content as Json | undefined
  const schema = (content?.["application/json"] as Json | undefined)?.schema
  const validate =
    schema === undefined
      ? null
      : ajv.compile(
          JSON.parse(
            JSON.stringify(toJsonSchema(schema)).replaceAll(
              '"$ref":"#/components/',
              '"$ref":"webhooks#/components/',
            ),
          ) as Json,
        )
  compiled.set(key, validate)
  return validate
}

/** Why a delivery is not one GitHub describes for its event and action, or null. */
export const checkWebhook = (event: string, payload: unknown): Mismatch | null => {
  const action = (payload as { action?: unknown } | null)?.action
  for (const key of keyOf(event, action)) {
    const validate = validatorFor(key)
    if (validate === undefined) continue
    if (validate === null || validate(payload)) return null
    return {
      kind: "webhook",
      method: "POST",
      path: `webhook ${event}${typeof action === "string" ? `.${action}` : ""}`,
      detail: `${key}: ${explain(validate)}`,
    }
  }
  return {
    kind: "webhook",
    method: "POST",
    path: `webhook ${event}`,
    detail: "no such event and action in GitHub's webhook descriptions",
  }
}
