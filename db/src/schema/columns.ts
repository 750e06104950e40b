// Column helpers every table shares.
import { bigint, timestamp, uuid } from "drizzle-orm/pg-core"

export const id = () => uuid().primaryKey().defaultRandom()
export const createdAt = () => timestamp({ withTimezone: true }).notNull().defaultNow()
export const updatedAt = () => timestamp({ withTimezone: true }).notNull().defaultNow()
/** GitHub's numeric ids (repos, installations, comments) outgrow int4. */
export const githubId = () => bigint({ mode: "number" })
