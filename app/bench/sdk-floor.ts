// Anchor for the per-role memory figures: a process that imports only the
// libraries a role must load (no PatchPlane code), waits as long as the role
// under test idles, and prints its RSS. Both roles need the same ones (Effect,
// drizzle over pg, Probot's GitHub client, DBOS, pino, yaml, jose); the
// dashboard's Next.js and WorkOS load lazily, only when used or configured.
// Loaded as PatchPlane loads them (with its module-format hook).
import { installModuleFormatHook } from "../src/platform/module-format-hook.ts"

installModuleFormatHook()
const [idleText] = process.argv.slice(2)
const libraries = [
  "effect",
  "drizzle-orm",
  "drizzle-orm/node-postgres",
  "drizzle-orm/pg-core",
  "pg",
  "probot",
  "@dbos-inc/dbos-sdk",
  "pino",
  "yaml",
  "jose",
]
for (const library of libraries) await import(library)
await new Promise((resolve) => setTimeout(resolve, Number(idleText ?? 0)))
console.log(JSON.stringify({ result: { rss: process.memoryUsage().rss } }))
