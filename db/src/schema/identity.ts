// Dashboard users and their organizations (WorkOS), with a role per membership.
import { index, pgTable, text, unique, uuid } from "drizzle-orm/pg-core"
import { createdAt, id, updatedAt } from "./columns.ts"

export const users = pgTable("users", {
  id: id(),
  email: text().notNull().unique(),
  name: text(),
  workosUserId: text().unique(),
  githubLogin: text(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
})

export const organizations = pgTable("organizations", {
  id: id(),
  name: text().notNull(),
  workosOrganizationId: text().unique(),
  createdAt: createdAt(),
})

/** role: admin | reviewer | viewer (SPEC "Security"). */
export const memberships = pgTable(
  "memberships",
  {
    id: id(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    organizationId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    role: text({ enum: ["admin", "reviewer", "viewer"] }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [unique().on(t.userId, t.organizationId), index().on(t.organizationId)],
)
