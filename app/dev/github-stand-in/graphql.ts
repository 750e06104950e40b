// The few GraphQL mutations PatchPlane needs (draft ↔ ready for review), read
// from the query text with patterns rather than a GraphQL parser; anything
// else gets GitHub's error shape. GitHub answers GraphQL errors with 200.
import { allows } from "./app-auth.ts"
import { type Context, tokenSeesRepo } from "./context.ts"
import {
  json,
  route,
  stringField,
  field,
  badCredentials,
  type Reply,
  type Route,
} from "./router.ts"
import type { Issue } from "./state.ts"

const MUTATIONS = {
  markPullRequestReadyForReview: false,
  convertPullRequestToDraft: true,
} as const

type MutationName = keyof typeof MUTATIONS

/** The pullRequestId argument: a string literal, `$var`, or `input: $var` with the id inside. */
const pullRequestIdOf = (query: string, variables: Record<string, unknown>): string | null => {
  const literal = /pullRequestId\s*:\s*"([^"]+)"/.exec(query)
  if (literal !== null) return literal[1] ?? null
  const variable = /pullRequestId\s*:\s*\$(\w+)/.exec(query)
  if (variable !== null) {
    const value = variables[variable[1] ?? ""]
    return typeof value === "string" ? value : null
  }
  const input = /input\s*:\s*\$(\w+)/.exec(query)
  if (input !== null) {
    const value = stringField(variables[input[1] ?? ""], "pullRequestId")
    return value ?? null
  }
  return null
}

const error = (message: string, extra: Record<string, unknown> = {}): Reply =>
  json(200, { errors: [{ message, locations: [{ line: 1, column: 1 }], ...extra }] })

export const graphqlRoutes = (ctx: Context): ReadonlyArray<Route> => {
  const { store, urls } = ctx
  const handler = (req: Parameters<Route["handler"]>[0]): Reply => {
    const caller = req.caller
    if (caller.kind !== "installation")
      throw badCredentials("This endpoint requires you to be authenticated.")
    const query = stringField(req.body, "query")
    if (query === undefined)
      return error("A query attribute must be specified and must be a string.")
    const rawVariables = field(req.body, "variables")
    const variables =
      typeof rawVariables === "object" && rawVariables !== null
        ? (rawVariables as Record<string, unknown>)
        : {}
    const name = (Object.keys(MUTATIONS) as Array<MutationName>).find((m) =>
      new RegExp(`\\b${m}\\s*\\(`).test(query),
    )
    if (name === undefined || !/^\s*mutation\b/.test(query)) {
      const first = /\{\s*(\w+)/.exec(query)?.[1] ?? "query"
      return error(
        `Field '${first}' doesn't exist on type '${/^\s*mutation\b/.test(query) ? "Mutation" : "Query"}'`,
        {
          path: ["query", first],
          extensions: { code: "undefinedField", typeName: "Query", fieldName: first },
        },
      )
    }
    const id = pullRequestIdOf(query, variables)
    const issue: Issue | undefined = store.issues.find((i) => i.pull?.nodeId === id)
    const repo = issue === undefined ? undefined : store.repositoryById(issue.repoId)
    if (
      id === null ||
      issue?.pull == null ||
      repo === undefined ||
      !tokenSeesRepo(caller.token, repo)
    )
      return json(200, {
        data: { [name]: null },
        errors: [
          {
            type: "NOT_FOUND",
            path: [name],
            locations: [{ line: 1, column: 1 }],
            message: `Could not resolve to a node with the global id of '${id ?? ""}'.`,
          },
        ],
      })
    if (!allows(caller.token.permissions.pull_requests, "write"))
      return json(200, {
        data: { [name]: null },
        errors: [
          {
            type: "FORBIDDEN",
            path: [name],
            locations: [{ line: 1, column: 1 }],
            message: "Resource not accessible by integration",
          },
        ],
      })
    issue.pull.draft = MUTATIONS[name]
    issue.updatedAt = new Date()
    // Answer only the pull request fields the selection names.
    const selection = /pullRequest\s*\{([^}]*)\}/.exec(query.slice(query.indexOf(name)))?.[1] ?? ""
    const available: Record<string, unknown> = {
      id: issue.pull.nodeId,
      number: issue.number,
      isDraft: issue.pull.draft,
      title: issue.title,
      state: issue.pull.merged ? "MERGED" : issue.state.toUpperCase(),
      url: `${urls.web}/${repo.fullName}/pull/${issue.number}`,
    }
    const pullRequest = Object.fromEntries(
      Object.entries(available).filter(([key]) => new RegExp(`\\b${key}\\b`).test(selection)),
    )
    return json(200, { data: { [name]: { pullRequest } } })
  }
  // GitHub Enterprise Server serves GraphQL at /api/graphql (what Octokit's
  // graphql() derives from an /api/v3 base URL); `POST /graphql` under the
  // REST base is accepted too, for clients that request it by path.
  return [route("POST", "/graphql", handler)]
}
