// What a repository's policy may choose about its agent: the runtime
// (`agent.runtime`) and the model (`agent.model`), bounded by the operator's
// allow-list in the config (`runtime.allowed`). A choice outside it is
// refused like any other bad field, with the field's path, before a run
// starts — a repository cannot pick a runtime or a model (and so a price)
// the operator did not allow.
import { Effect } from "effect"
import { DecodeError, type FieldIssue, type PolicySpec } from "@patchplane/domain"

export interface AgentChoices {
  readonly runtimes: ReadonlyArray<string>
  /** Models a policy may name; each runtime's configured model is always allowed. */
  readonly models: ReadonlyArray<string>
}

/** The config's allow-list; each runtime's configured model is allowed too. */
export const agentChoicesOf = (runtime: {
  readonly pi: { readonly model: string }
  readonly claudeCode: { readonly model: string }
  readonly allowed: {
    readonly runtimes: ReadonlyArray<string>
    readonly models: ReadonlyArray<string>
  }
}): AgentChoices => ({
  runtimes: runtime.allowed.runtimes,
  models: [...new Set([...runtime.allowed.models, runtime.pi.model, runtime.claudeCode.model])],
})

/** Without a config: Pi only, on its configured model. */
export const piOnly: AgentChoices = { runtimes: ["pi"], models: [] }

const list = (values: ReadonlyArray<string>) =>
  values.length === 0 ? "none" : values.map((value) => `"${value}"`).join(", ")

export const agentChoiceIssues = (
  agent: PolicySpec["agent"],
  choices: AgentChoices,
): Array<FieldIssue> => [
  ...(choices.runtimes.includes(agent.runtime)
    ? []
    : [
        {
          path: "agent.runtime",
          message: `the runtime "${agent.runtime}" is not allowed here (allowed: ${list(choices.runtimes)}; runtime.allowed.runtimes in the PatchPlane config)`,
        },
      ]),
  ...(agent.model === undefined || choices.models.includes(agent.model)
    ? []
    : [
        {
          path: "agent.model",
          message: `the model "${agent.model}" is not allowed here (allowed: ${list(choices.models)}; runtime.allowed.models in the PatchPlane config)`,
        },
      ]),
]

/** The policy as is, or a DecodeError naming agent.runtime / agent.model. */
export const checkAgentChoice = (
  policy: PolicySpec,
  choices: AgentChoices,
  source: string,
): Effect.Effect<PolicySpec, DecodeError> => {
  const issues = agentChoiceIssues(policy.agent, choices)
  return issues.length === 0
    ? Effect.succeed(policy)
    : Effect.fail(new DecodeError({ source, issues }))
}
