// What GitHub told us: installations, the repositories they grant and every
// verified webhook delivery.
import { boolean, index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core"
import { createdAt, githubId, id, updatedAt } from "./columns.ts"
import { organizations } from "./identity.ts"

export const githubInstallations = pgTable("github_installations", {
  id: id(),
  installationId: githubId().notNull().unique(),
  accountLogin: text().notNull(),
  accountId: githubId().notNull(),
  accountType: text().notNull(),
  permissions: jsonb().$type<Record<string, string>>().notNull().default({}),
  events: jsonb().$type<string[]>().notNull().default([]),
  suspendedAt: timestamp({ withTimezone: true }),
  deletedAt: timestamp({ withTimezone: true }),
  organizationId: uuid().references(() => organizations.id, { onDelete: "set null" }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
})

export const repositories = pgTable(
  "repositories",
  {
    id: id(),
    githubInstallationId: uuid()
      .notNull()
      .references(() => githubInstallations.id),
    githubRepoId: githubId().notNull().unique(),
    fullName: text().notNull(),
    defaultBranch: text().notNull().default("main"),
    private: boolean().notNull().default(false),
    permissions: jsonb().$type<Record<string, string>>().notNull().default({}),
    active: boolean().notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index().on(t.fullName), index().on(t.githubInstallationId)],
)

/** One row per verified delivery, keyed by X-GitHub-Delivery: redeliveries do no new work. */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: id(),
    deliveryId: text().notNull().unique(),
    event: text().notNull(),
    action: text(),
    installationId: githubId(),
    repositoryFullName: text(),
    receivedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp({ withTimezone: true }),
    outcome: text({
      enum: ["received", "processed", "ignored", "refused", "failed"],
    })
      .notNull()
      .default("received"),
    error: text(),
  },
  (t) => [index().on(t.receivedAt), index().on(t.repositoryFullName, t.receivedAt)],
)
