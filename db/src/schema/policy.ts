// Policies, runtime/sandbox profiles and execution targets runs are bound to.
import { jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core"
import { createdAt, id } from "./columns.ts"

/** Content-addressed: identical specs share one row (unique digest). */
export const policyBundles = pgTable("policy_bundles", {
  id: id(),
  name: text().notNull(),
  digest: text().notNull().unique(),
  spec: jsonb().$type<Record<string, unknown>>().notNull(),
  source: text().notNull(),
  createdAt: createdAt(),
})

export const configProfiles = pgTable("config_profiles", {
  id: id(),
  name: text().notNull().unique(),
  runtime: jsonb().$type<Record<string, unknown>>().notNull(),
  sandbox: jsonb().$type<Record<string, unknown>>().notNull(),
  policyBundleId: uuid().references(() => policyBundles.id),
  createdAt: createdAt(),
})

/** A place sandboxes are created: the local bubblewrap host or a Daytona target. */
export const executionTargets = pgTable("execution_targets", {
  id: id(),
  name: text().notNull().unique(),
  backend: text({ enum: ["local", "daytona"] }).notNull(),
  settings: jsonb().$type<Record<string, unknown>>().notNull().default({}),
  createdAt: createdAt(),
})
