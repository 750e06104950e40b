// Child process for the kill -9 test: starts the embedded server, writes a
// row, prints the server's pid, then idles until killed.
import { createPool, runMigrations, startEmbeddedPostgres } from "../src/index.ts"

const server = await startEmbeddedPostgres({ dataDir: process.argv[2]! })
const pool = createPool(server.url)
await runMigrations(pool)
await pool.query(
  "INSERT INTO webhook_deliveries (delivery_id, event) VALUES ('before-crash', 'ping')",
)
console.log(JSON.stringify({ pid: server.pid }))
setInterval(() => {}, 60_000)
