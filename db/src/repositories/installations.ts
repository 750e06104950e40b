// GitHub App installations and the repositories they grant.
import { eq, sql } from "drizzle-orm"
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
