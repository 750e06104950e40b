// `installation` and `installation_repositories` keep githubInstallations and
// repositories current: what PatchPlane may observe and change.
import {
  type Database,
  setInstallationState,
  setRepositoriesActive,
  upsertInstallation,
  upsertRepository,
} from "@patchplane/db"
import { Effect } from "effect"
import type { Outcome } from "./command-handler.ts"
import type { InstallationEvent, InstallationRepositoriesEvent } from "./webhook-payloads.ts"

type Installation = (typeof InstallationEvent.Type)["installation"]
type InstalledRepo = (typeof InstallationRepositoriesEvent.Type)["repositories_added"][number]

const saveInstallation = (db: Database, installation: Installation) =>
  upsertInstallation(db, {
    installationId: installation.id,
    // An enterprise account has a slug, not a login; a missing account keeps the installation id.
    accountLogin:
      installation.account?.login ??
      installation.account?.slug ??
      `installation-${installation.id}`,
    accountId: installation.account?.id ?? installation.id,
    accountType:
      installation.account?.type ?? (installation.account === null ? "Unknown" : "Enterprise"),
    permissions: installation.permissions,
    events: [...installation.events],
  })

const connect = async (
  db: Database,
  installationRowId: string,
  repos: ReadonlyArray<InstalledRepo>,
) => {
  for (const repo of repos)
    await upsertRepository(db, {
      githubInstallationId: installationRowId,
      githubRepoId: repo.id,
      fullName: repo.full_name,
      private: repo.private,
      active: true,
    })
}

export const syncInstallation = (db: Database, event: typeof InstallationEvent.Type) =>
  Effect.promise(async (): Promise<Outcome> => {
    const { installation } = event
    switch (event.action) {
      case "created":
      case "new_permissions_accepted":
      case "unsuspend": {
        const row = await saveInstallation(db, installation)
        await connect(db, row.id, event.repositories ?? [])
        if (event.action === "unsuspend")
          await setInstallationState(db, installation.id, { suspendedAt: null, reposActive: true })
        return { outcome: "processed", note: `installation ${installation.id} ${event.action}` }
      }
      case "suspend":
        await saveInstallation(db, installation)
        await setInstallationState(db, installation.id, {
          suspendedAt: new Date(),
          reposActive: false,
        })
        return { outcome: "processed", note: `installation ${installation.id} suspended` }
      case "deleted":
        await saveInstallation(db, installation)
        await setInstallationState(db, installation.id, {
          deletedAt: new Date(),
          reposActive: false,
        })
        return { outcome: "processed", note: `installation ${installation.id} deleted` }
      default:
        return { outcome: "ignored", note: `installation.${event.action}` }
    }
  })

export const syncInstallationRepositories = (
  db: Database,
  event: typeof InstallationRepositoriesEvent.Type,
) =>
  Effect.promise(async (): Promise<Outcome> => {
    const row = await saveInstallation(db, event.installation)
    await connect(db, row.id, event.repositories_added)
    await setRepositoriesActive(
      db,
      event.repositories_removed.map((repo) => repo.id),
      false,
    )
    return {
      outcome: "processed",
      note: `+${event.repositories_added.length} -${event.repositories_removed.length} repositories`,
    }
  })
