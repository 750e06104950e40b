import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  createPool,
  recordDelivery,
  createDatabase,
  runMigrations,
  startEmbeddedPostgres,
} from "../src/index.ts"

let root: string
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "pp-embedded-"))
  await chmod(root, 0o755) // as root, PostgreSQL runs as "postgres" and must reach it
})
afterAll(() => rm(root, { recursive: true, force: true }))

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe("embedded PostgreSQL", () => {
  it("initialises on first start, migrates, keeps data across a restart", async () => {
    const dataDir = join(root, "cluster")
    const first = await startEmbeddedPostgres({ dataDir })
    expect(first.initialised).toBe(true)
    expect(first.url).toMatch(/^postgres:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/patchplane$/)
    let pool = createPool(first.url)
    await runMigrations(pool)
    await recordDelivery(createDatabase(pool), { deliveryId: "kept", event: "ping" })
    const version = await pool.query("SHOW server_version")
    expect(version.rows[0].server_version).toMatch(/^\d+/)
    await pool.end()
    await first.stop()
    expect(alive(first.pid)).toBe(false)
    expect(existsSync(join(dataDir, "postmaster.pid"))).toBe(false)

    const second = await startEmbeddedPostgres({ dataDir })
    expect(second.initialised).toBe(false)
    expect(second.recoveredOrphanPid).toBeNull()
    pool = createPool(second.url)
    await runMigrations(pool) // already applied: a no-op
    const rows = await pool.query("SELECT delivery_id FROM webhook_deliveries")
    expect(rows.rows).toEqual([{ delivery_id: "kept" }])
    await pool.end()
    await second.stop()
  }, 60_000)

  it("starts again after the app was killed with kill -9, stopping the orphaned server", async () => {
    const dataDir = join(root, "crashed")
    const child = spawn(
      process.execPath,
      [join(import.meta.dirname, "embedded-holder.ts"), dataDir],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    )
    const orphanPid = await new Promise<number>((resolve, reject) => {
      let out = ""
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString()
        const line = out.split("\n").find((l) => l.startsWith("{"))
        if (line) resolve((JSON.parse(line) as { pid: number }).pid)
      })
      child.on("exit", (code) => reject(new Error(`holder exited early (${code})`)))
    })
    child.kill("SIGKILL")
    await new Promise((r) => child.once("exit", r))
    expect(alive(orphanPid)).toBe(true) // the postmaster outlives the killed app

    const restarted = await startEmbeddedPostgres({ dataDir })
    expect(restarted.recoveredOrphanPid).toBe(orphanPid)
    expect(alive(orphanPid)).toBe(false)
    const pool = createPool(restarted.url)
    const rows = await pool.query("SELECT delivery_id FROM webhook_deliveries")
    expect(rows.rows).toEqual([{ delivery_id: "before-crash" }])
    await pool.end()
    await restarted.stop()
  }, 60_000)

  it("starts over a stale postmaster.pid whose process is gone", async () => {
    const dataDir = join(root, "stale")
    const server = await startEmbeddedPostgres({ dataDir })
    await server.stop()
    await writeFile(join(dataDir, "postmaster.pid"), "999999\n")
    const again = await startEmbeddedPostgres({ dataDir })
    expect(again.recoveredOrphanPid).toBeNull()
    await again.stop()
  }, 60_000)

  it("runs from a folder the postgres user cannot enter (a clone under /root) by placing the cluster where it can", async () => {
    // As root the server runs as "postgres"; 0700 keeps that user out, as /root does.
    const privateDir = join(root, "private-clone")
    await mkdir(privateDir, { mode: 0o700 })
    await chmod(privateDir, 0o700)
    const dataDir = join(privateDir, ".patchplane", "postgres")
    const asRoot = process.getuid?.() === 0
    const first = await startEmbeddedPostgres({ dataDir })
    try {
      // Not root: the server runs as this user, who can enter the folder.
      expect(first.relocated).toEqual(asRoot ? { requested: dataDir, blockedAt: privateDir } : null)
      expect(first.dataDir.startsWith(privateDir)).toBe(!asRoot)
      const pool = createPool(first.url)
      await runMigrations(pool)
      await recordDelivery(createDatabase(pool), { deliveryId: "moved", event: "ping" })
      await pool.end()
      await first.stop()
      // The same folder finds the same cluster on the next start.
      const second = await startEmbeddedPostgres({ dataDir })
      expect(second.dataDir).toBe(first.dataDir)
      expect(second.initialised).toBe(false)
      const again = createPool(second.url)
      const kept = await again.query("SELECT delivery_id FROM webhook_deliveries")
      expect(kept.rows).toEqual([{ delivery_id: "moved" }])
      await again.end()
      await second.stop()
    } finally {
      await first.stop()
      if (first.relocated !== null) await rm(first.dataDir, { recursive: true, force: true })
    }
  }, 90_000)

  it("refuses a port another PostgreSQL holds instead of using that server", async () => {
    // This machine's own PostgreSQL listens on 5432 (and trusts local logins).
    await expect(
      startEmbeddedPostgres({ dataDir: join(root, "taken"), port: 5432 }),
    ).rejects.toThrow(/port 5432 is held by another PostgreSQL|exited during start/)
  }, 60_000)
})
