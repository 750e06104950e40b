// Rows most tests need: an installation, a repository, a request and a run.
import type { Executor } from "../src/client.ts"
import {
  insertPromptRequest,
  insertWorkflowRun,
  upsertInstallation,
  upsertRepository,
} from "../src/index.ts"

let next = 1000

export const seedRun = async (db: Executor, repoName = "octo/repo") => {
  next += 1
  const installation = await upsertInstallation(db, {
    installationId: next,
    accountLogin: "octo",
    accountId: 1,
    accountType: "Organization",
  })
  const repository = await upsertRepository(db, {
    githubInstallationId: installation.id,
    githubRepoId: next,
    fullName: repoName,
  })
  const request = await insertPromptRequest(db, {
    repositoryId: repository.id,
    prompt: "fix the flaky test",
    sourceChannel: "issue_comment",
    targetRef: "main",
    initiator: { kind: "github", login: "octocat", id: 1 },
    initiatorLogin: "octocat",
    issueNumber: 7,
  })
  const run = await insertWorkflowRun(db, {
    promptRequestId: request.id,
    repositoryId: repository.id,
  })
  return { installation, repository, request, run }
}
