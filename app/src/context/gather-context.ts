// Reads a run's context from GitHub with the run's installation token: the
// issue or PR it was asked on with its conversation, and the repository's
// Copilot instructions when the policy lets the agent read repository
// instructions (AGENTS.md and CLAUDE.md the agent reads itself).
import { Effect } from "effect"
import type { PolicySpec } from "../domain/index.ts"
import type { GitHubError, GitHubShape } from "../github/github-service.ts"
import { STATUS_MARKER_PREFIX } from "../publication/status-comment.ts"
import { emptyContext, type GatheredContext } from "./context-types.ts"

export const QUOTED_INSTRUCTION_FILES = [".github/copilot-instructions.md"] as const

export interface GatherTarget {
  readonly installationId: number
  readonly repository: string
  readonly issueNumber: number | null
  /** The comment that carried the request: it is the instruction, not context. */
  readonly requestCommentId: number | null
  readonly ref: string
  readonly policy: PolicySpec
}

export const gatherContext = (
  github: GitHubShape,
  target: GatherTarget,
): Effect.Effect<GatheredContext, GitHubError> =>
  Effect.gen(function* () {
    const [owner = "", repo = ""] = target.repository.split("/")
    const ref = { installationId: target.installationId, owner, repo }
    const instructions = target.policy.agent.readAgentsMd
      ? yield* Effect.forEach(QUOTED_INSTRUCTION_FILES, (path) =>
          github
            .getFileContent(ref, path, target.ref)
            .pipe(
              Effect.map((text) =>
                text === null ? [] : [{ path, source: `${path}@${target.ref}`, text }],
              ),
            ),
        ).pipe(Effect.map((found) => found.flat()))
      : []
    const number = target.issueNumber
    if (!target.policy.context.include || number === null) return { ...emptyContext, instructions }
    const [issue, comments] = yield* Effect.all(
      [github.getIssue(ref, number), github.listIssueComments(ref, number)],
      { concurrency: 2 },
    )
    const source = `${target.repository}#${number}`
    return {
      conversation: {
        kind: issue.isPullRequest ? ("pull_request" as const) : ("issue" as const),
        source,
        title: issue.title,
        body: issue.body,
        labels: issue.labels,
        author: issue.author,
      },
      comments: comments
        .filter((c) => c.id !== target.requestCommentId && !c.body.includes(STATUS_MARKER_PREFIX))
        .map((c) => ({
          id: c.id,
          source: `${source} comment ${c.id}`,
          author: c.author,
          createdAt: c.createdAt,
          body: c.body,
        })),
      instructions,
    }
  })
