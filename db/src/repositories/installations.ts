// GitHub App installations and the repositories they grant.
import { and, eq, inArray, sql } from "drizzle-orm"
import type { Executor } from "../client.ts"
import { one } from "./one.ts"
import { githubInstallations, repositories } from "../schema/index.ts"

export type InstallationRow = typeof githubInstallations.$inferSelect
export type RepositoryRow = typeof repositories.$inferSelect

export const upsertInstallation = async (
  db: Executor,
  values: typeof githubInstallations.$inferInsert,
): Promise<InstallationRow> => {
  const rows = await db
    .insert(githubInstallations)
    .values(values)
    .onConflictDoUpdate({
      target: githubInstallations.installationId,
      set: {
        accountLogin: values.accountLogin,
        accountId: values.accountId,
        accountType: values.accountType,
        permissions: values.permissions ?? {},
        events: values.events ?? [],
        suspendedAt: values.suspendedAt ?? null,
        deletedAt: values.deletedAt ?? null,
        updatedAt: sql`now()`,
      },
    })
    .returning()
  return one(rows, "upsertInstallation")
}

export const upsertRepository = async (
  db: Executor,
  values: typeof repositories.$inferInsert,
): Promise<RepositoryRow> => {
  const rows = await db
    .insert(repositories)
    .values(values)
    .onConflictDoUpdate({
      target: repositories.githubRepoId,
      set: {
        githubInstallationId: values.githubInstallationId,
        fullName: values.fullName,
        defaultBranch: values.defaultBranch ?? "main",
        private: values.private ?? false,
        permissions: values.permissions ?? {},
        active: values.active ?? true,
        updatedAt: sql`now()`,
      },
    })
    .returning()
  return one(rows, "upsertRepository")
}

export const getRepositoryByFullName = async (
  db: Executor,
  fullName: string,
): Promise<RepositoryRow | undefined> => {
  const [row] = await db
    .select()
    .from(repositories)
    .where(eq(sql`lower(${repositories.fullName})`, fullName.toLowerCase()))
    .limit(1)
  return row
}

/** Marks repositories (by GitHub id) as connected or not, e.g. removed from an installation. */
export const setRepositoriesActive = async (
  db: Executor,
  githubRepoIds: ReadonlyArray<number>,
  active: boolean,
): Promise<void> => {
  if (githubRepoIds.length === 0) return
  await db
    .update(repositories)
    .set({ active, updatedAt: sql`now()` })
    .where(inArray(repositories.githubRepoId, [...githubRepoIds]))
}

/** Suspending or deleting an installation disconnects all its repositories. */
export const setInstallationState = (
  db: Executor,
  installationId: number,
  state: { suspendedAt?: Date | null; deletedAt?: Date | null; reposActive: boolean },
): Promise<void> =>
  db.transaction(async (tx) => {
    const rows = await tx
      .update(githubInstallations)
      .set({
        ...(state.suspendedAt === undefined ? {} : { suspendedAt: state.suspendedAt }),
        ...(state.deletedAt === undefined ? {} : { deletedAt: state.deletedAt }),
        updatedAt: sql`now()`,
      })
      .where(eq(githubInstallations.installationId, installationId))
      .returning({ id: githubInstallations.id })
    const [row] = rows
    if (row === undefined) return
    await tx
      .update(repositories)
      .set({ active: state.reposActive, updatedAt: sql`now()` })
      .where(and(eq(repositories.githubInstallationId, row.id)))
  })

/** Keeps a connected repository's default branch current (payloads carry it). */
export const updateDefaultBranch = async (
  db: Executor,
  repositoryId: string,
  defaultBranch: string,
): Promise<void> => {
  await db
    .update(repositories)
    .set({ defaultBranch, updatedAt: sql`now()` })
    .where(eq(repositories.id, repositoryId))
}
