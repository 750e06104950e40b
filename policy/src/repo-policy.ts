// A target repo's own policy, `.github/patchplane.yml`, decoded with the same
// schema as the config's `policy` defaults. Keys the repo sets win; nested
// sections (budgets, sandbox, agent, context, iterate) merge key by key;
// `reviewers` is taken whole, so a repo states exactly which reviewers it
// wants. The agent's runtime and model must be within the config's allow-list
// (agent-choice.ts).
import { Effect, Schema } from "effect"
import { parseDocument } from "yaml"
import { DecodeError, decodeWith, PolicySpec } from "@patchplane/domain"
import { type AgentChoices, checkAgentChoice } from "./agent-choice.ts"

export const REPO_POLICY_PATH = ".github/patchplane.yml"

const mergedSections = ["budgets", "sandbox", "agent", "context", "iterate"] as const

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

export const decodeRepoPolicy = (
  text: string,
  defaults: PolicySpec,
  source = REPO_POLICY_PATH,
  /** The config's allow-list for agent.runtime / agent.model; unchecked when absent (the review Action). */
  choices?: AgentChoices,
): Effect.Effect<PolicySpec, DecodeError> => {
  const check = (policy: PolicySpec) =>
    choices === undefined ? Effect.succeed(policy) : checkAgentChoice(policy, choices, source)
  const doc = parseDocument(text, { prettyErrors: true })
  const first = doc.errors[0]
  if (first !== undefined)
    return Effect.fail(
      new DecodeError({
        source,
        issues: [{ path: "(root)", message: `not valid YAML: ${first.message}` }],
      }),
    )
  const raw: unknown = doc.toJS() ?? {}
  if (!isObject(raw)) return decodeWith(PolicySpec, source)(raw).pipe(Effect.flatMap(check))
  const base = Schema.encodeSync(PolicySpec)(defaults) as Record<string, unknown>
  const merged: Record<string, unknown> = { ...base, ...raw }
  for (const key of mergedSections) {
    const [fromBase, fromRepo] = [base[key], raw[key]]
    if (isObject(fromBase) && isObject(fromRepo)) merged[key] = { ...fromBase, ...fromRepo }
  }
  return decodeWith(PolicySpec, source)(merged).pipe(Effect.flatMap(check))
}
