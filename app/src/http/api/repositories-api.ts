// What PatchPlane may act on, kept current by installation events:
//   GET /api/repositories               installations, their repositories, recent runs
//   GET /api/repositories/:id/policy    the effective policy: the repo's decoded
//                                       .github/patchplane.yml, or the defaults,
//                                       with decoding errors by field
import { getRepositoryById, listInstallationsWithRepositories } from "@patchplane/db"
import { Effect } from "effect"
import { decodeRepoPolicy, REPO_POLICY_PATH } from "@patchplane/policy"
import { Api, DecodeError } from "@patchplane/domain"
import { requireRole } from "../auth/auth.ts"
import type { ApiRoutes, DashboardApiDeps } from "./dashboard-deps.ts"
import { ApiError, sendAnswer } from "./http-json.ts"

const POLICY = /^\/api\/repositories\/([0-9a-f-]{36})\/policy$/

const effectivePolicy = async (
  deps: DashboardApiDeps,
  repositoryId: string,
): Promise<typeof Api.PolicyAnswer.Type> => {
  const found = await getRepositoryById(deps.db, repositoryId)
  if (found === undefined) throw new ApiError(404, "not_found", `no repository ${repositoryId}`)
  const { repository, installation } = found
  const defaults = { policy: deps.config.policy, issues: [] }
  if (deps.github === null)
    return {
      ...defaults,
      source: "defaults",
      note: "No GitHub App is configured, so the repository's own policy file cannot be read; the config's defaults are shown.",
    }
  const ref = repository.defaultBranch
  let text: string | null
  try {
    text = await deps.github.readFile(
      installation.installationId,
      repository.fullName,
      REPO_POLICY_PATH,
      ref,
    )
  } catch (error) {
    return {
      ...defaults,
      source: "defaults",
      note: `GitHub did not return ${REPO_POLICY_PATH} (${(error as { status?: number }).status ?? "no answer"}); the defaults are shown.`,
    }
  }
  if (text === null)
    return {
      ...defaults,
      source: "defaults",
      note: `${repository.fullName} has no ${REPO_POLICY_PATH} on ${ref}: the config's defaults apply.`,
    }
  const source = `${repository.fullName}@${ref}:${REPO_POLICY_PATH}`
  const decoded = await Effect.runPromise(
    Effect.result(decodeRepoPolicy(text, deps.config.policy, source, deps.config.agentChoices)),
  )
  if (decoded._tag === "Success") return { policy: decoded.success, issues: [], source, note: null }
  const error = decoded.failure
  return {
    policy: null,
    issues:
      error instanceof DecodeError ? error.issues : [{ path: "(root)", message: String(error) }],
    source,
    note: "The file does not decode; runs on this repository use it only once it is fixed.",
  }
}

export const repositoriesApi =
  (deps: DashboardApiDeps): ApiRoutes =>
  async (req, res, url) => {
    if (req.method !== "GET") return false
    if (url.pathname === "/api/repositories") {
      requireRole(deps.authenticate(req), "viewer", "listing repositories")
      const [installations, installUrl] = await Promise.all([
        listInstallationsWithRepositories(deps.db),
        deps.github?.installUrl().catch(() => null) ?? Promise.resolve(null),
      ])
      sendAnswer(res, 200, Api.RepositoriesAnswer, {
        installations,
        installUrl,
        githubConfigured: deps.github !== null,
      })
      return true
    }
    const policy = POLICY.exec(url.pathname)
    if (policy !== null) {
      requireRole(deps.authenticate(req), "viewer", "reading a repository's policy")
      sendAnswer(res, 200, Api.PolicyAnswer, await effectivePolicy(deps, policy[1] ?? ""))
      return true
    }
    return false
  }
