// What a scenario's database starts with: one installation and repository,
// and runs with their PromptRequests, written through the db repositories.
import {
  type Database,
  insertPromptRequest,
  insertWorkflowRun,
  upsertInstallation,
  upsertRepository,
} from "@patchplane/db"

export const seedRepository = async (db: Database, fullName: string, githubRepoId: number) => {
  const installation = await upsertInstallation(db, {
    installationId: 1,
    accountLogin: "bench",
    accountId: 1,
    accountType: "Organization",
  })
  return upsertRepository(db, { githubInstallationId: installation.id, githubRepoId, fullName })
}

/** A run requested from the app, as the dashboard's New run makes one. */
export const seedRun = async (db: Database, repositoryId: string, prompt: string) => {
  const request = await insertPromptRequest(db, {
    repositoryId,
    prompt,
    sourceChannel: "app",
    targetRef: "main",
    initiator: { kind: "dashboard", userId: "local-operator", name: "local-operator" },
  })
  return insertWorkflowRun(db, { promptRequestId: request.id, repositoryId })
}
