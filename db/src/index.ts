// @patchplane/db: schema, migrations, the node-postgres driver, the embedded
// server and repository functions. Imports nothing from app, action or dashboard.
export * from "./client.ts"
export * from "./migrate.ts"
export * from "./embedded-server.ts"
export * as schema from "./schema/index.ts"
export * from "./repositories/installations.ts"
export * from "./repositories/webhook-deliveries.ts"
export * from "./repositories/prompt-requests.ts"
export * from "./repositories/workflow-runs.ts"
export * from "./repositories/runtime-events.ts"
export * from "./repositories/provenance.ts"
export * from "./repositories/bindings.ts"
export * from "./repositories/control.ts"
