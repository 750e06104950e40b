import { defineConfig } from "drizzle-kit"

// `npm run db:generate` writes a new migration after a schema change; commit it.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/schema/index.ts",
  out: "./migrations",
  casing: "snake_case",
})
