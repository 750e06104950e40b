// The whole loop interrupted, with the worker in a process of its own (`npm
// start -- --role=worker`) and the web role in this one: a run cancelled from
// the dashboard in Chromium while its agent works, and a worker killed with
// kill -9 mid-run whose restart finishes the run.
import { type ChildProcess, spawn } from "node:child_process"
import { join } from "node:path"
import { latestMergeDecision, type WorkflowRunRow } from "@patchplane/db"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { MAINTAINER, REPOSITORY } from "../../dev/local-world.ts"
import { callTools, contributingScript, toolCall } from "../../dev/scripted-model/model-scripts.ts"
import { messageTexts } from "../../dev/scripted-model/scripted-model-server.ts"
import { launchBrowser } from "../../../dashboard/test/browser.ts"
import { hostProcessesWith } from "../execution/helpers.ts"
import { type Loop, startLoop } from "./harness.ts"

const main = join(import.meta.dirname, "../../src/main.ts")

let loop: Loop
const workers: Array<ChildProcess> = []

/** `npm start -- --role=worker`, as a deployment runs it. */
const startWorker = async (executorId: string) => {
  const child = spawn(process.execPath, [main, "--role=worker", `--executor-id=${executorId}`], {
    cwd: loop.dir,
    env: { ...process.env, DATABASE_URL: loop.db.url },
    stdio: ["ignore", "pipe", "pipe"],
  })
  workers.push(child)
  let output = ""
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()))
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes("is executing runs")) resolve()
    })
    child.on("exit", (code) => reject(new Error(`worker exited with ${code}: ${output}`)))
  })
  return child
}

const kill9 = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once("exit", () => resolve())
    child.kill("SIGKILL")
  })

beforeAll(async () => {
  // Durable workflows run only on processes of the same application version,
  // which DBOS derives from the code; vitest transforms this process's code, so
  // name the version for both sides (a deployment's processes run the same code).
  process.env.DBOS__APPVERSION = "e2e-interruptions"
  // The web role here; workers are `npm start -- --role=worker` processes.
  loop = await startLoop("interrupt", { roles: ["web"] })
}, 120_000)

afterAll(async () => {
  for (const child of workers) await kill9(child)
  await loop?.stop()
})

const runOn = (issueNumber: number, states: ReadonlyArray<string>): Promise<WorkflowRunRow> =>
  loop.runOn(issueNumber, (run) => states.includes(run.state), `a run in ${states.join("/")}`)

/** The agent's first move is a long shell command: the moment to interrupt it. */
const slowStart = (seconds: number) =>
  callTools(toolCall("bash", { command: `sleep ${seconds} && echo slept` }, "call_sleep"))

describe("the whole loop, interrupted", () => {
  it("is cancelled from the dashboard while the agent works", async () => {
    const { world, until } = loop
    const worker = await startWorker("e2e-worker-a")
    const served = world.model.requests.length
    const sent = await world.request("add a CONTRIBUTING.md", {
      script: [slowStart(60), ...contributingScript()],
    })
    const run = await runOn(sent.issueNumber, ["running"])
    await world.model.waitForRequests(served + 1, 60_000)

    const browser = await launchBrowser()
    try {
      const page = await browser.page()
      await page.goto(loop.signIn(`/runs/${run.id}`))
      await page.locator('article[data-run-state="running"]').waitFor({ timeout: 30_000 })
      await page.locator('button[data-action="cancel"]').click()
      const dialog = page.getByRole("dialog")
      await dialog.getByLabel(/Reason/).fill("wrong repository")
      await dialog.getByRole("button", { name: "Cancel run" }).click()
      await page.locator('article[data-run-state="cancelled"]').waitFor({ timeout: 10_000 })
      await browser.screenshot(page, "e2e-cancelled")
    } finally {
      await browser.close()
    }
    // The agent and its sandbox are gone, nothing was published, and GitHub says so.
    await until("the sandbox gone", async () =>
      (await hostProcessesWith(run.id)).length === 0 ? true : undefined,
    )
    expect(world.github.requestsMatching("POST", /\/pulls$/)).toHaveLength(0)
    const status = await until("the status comment to say cancelled", async () =>
      world.github
        .issueComments(REPOSITORY, sent.issueNumber)
        .find((c) => c.user.login !== MAINTAINER && c.body.includes("Cancelled")),
    )
    expect(status.body).toContain("wrong repository")
    // The agent never asked for more: the rest of its script is left unserved.
    expect(world.model.requests.length).toBe(served + 1)
    world.model.discard()
    await kill9(worker)
  }, 180_000)

  it("resumes the interrupted agent's own session with the operator's message after Approve", async () => {
    const { world, until, url, operator } = loop
    const worker = await startWorker("e2e-worker-c")
    const served = world.model.requests.length
    const sent = await world.request("add a CONTRIBUTING.md", {
      script: [slowStart(60), ...contributingScript()],
    })
    const run = await runOn(sent.issueNumber, ["running"])
    await world.model.waitForRequests(served + 1, 60_000)
    const steering = "Keep it short and mention npm test."

    const browser = await launchBrowser()
    try {
      const page = await browser.page()
      const dialog = page.getByRole("dialog")
      await page.goto(loop.signIn(`/runs/${run.id}`))
      await page.locator('article[data-run-state="running"]').waitFor({ timeout: 30_000 })
      await page.locator('button[data-action="interrupt"]').click()
      await dialog.getByRole("button", { name: "Interrupt" }).click()
      await page.locator('article[data-run-state="awaiting_approval"]').waitFor({ timeout: 10_000 })
      // Paused in the agent's stage: nothing after it is shown done.
      await page.locator('li[data-stage="running"].stage-paused').waitFor()
      expect(await page.locator('li[data-stage="collecting"]').getAttribute("class")).toContain(
        "stage-ahead",
      )
      await page.getByText(/The agent is paused/).waitFor()
      await browser.screenshot(page, "e2e-interrupted")
      // A message for the agent while it waits, then Approve.
      await page.locator('button[data-action="steer"]').click()
      await dialog.getByLabel("Message to the agent").fill(steering)
      await dialog.getByRole("button", { name: "Send message" }).click()
      await page.getByText("Message sent to the agent.").waitFor()
      await page.locator('button[data-action="approve"]').click()
      await dialog.getByRole("button", { name: "Approve" }).click()
      await page.locator('article[data-run-state="running"]').waitFor({ timeout: 10_000 })
    } finally {
      await browser.close()
    }

    // The same conversation goes on (the interrupted call is in it), told what the operator said.
    await world.model.waitForRequests(served + 2, 60_000)
    const resumed = world.model.requests[served + 1]?.body
    expect(JSON.stringify(resumed?.messages)).toContain("call_sleep")
    expect(messageTexts(resumed ?? {}, "user").at(-1)).toContain(steering)
    const published = await loop.runOn(
      sent.issueNumber,
      (r) => r.pullRequestNumber !== null,
      "the draft PR",
    )
    const detail = (await (
      await fetch(`${url}/api/runs/${published.id}`, { headers: operator })
    ).json()) as {
      events: Array<{ kind: string }>
      transitions: Array<{ toState: string; actor: string; reason: string | null }>
    }
    // One session, resumed; the pause is credited to the operator who interrupted.
    expect(detail.events.filter((e) => e.kind === "session.started")).toHaveLength(1)
    const pause = detail.transitions.find((t) => t.toState === "awaiting_approval")
    expect(pause?.actor).not.toBe("workflow")
    expect(pause?.reason).toBe(`interrupted by ${pause?.actor}`)
    await until("the agent's script to be served", async () =>
      world.model.remaining() === 0 ? true : undefined,
    )
    await kill9(worker)
  }, 240_000)

  it("finishes a run whose worker was killed with kill -9 mid-run, after a restart", async () => {
    const { world, url, db } = loop
    const first = await startWorker("e2e-worker-b")
    const served = world.model.requests.length
    // Earlier tests in this file opened PRs of their own.
    const pullsBefore = world.github.requestsMatching("POST", /\/pulls$/).length
    const sent = await world.request("add a CONTRIBUTING.md", {
      script: [slowStart(60), ...contributingScript()],
    })
    await runOn(sent.issueNumber, ["running"])
    await world.model.waitForRequests(served + 1, 60_000)
    await kill9(first)
    // The same worker comes back (same executor id) and resumes the run's workflow.
    await startWorker("e2e-worker-b")
    const published = await loop.runOn(
      sent.issueNumber,
      (run) => run.pullRequestNumber !== null,
      "the draft PR",
    )
    const review = await world.review(published.pullRequestNumber ?? 0, url)
    expect(review.code).toBe(0)
    const decided = await runOn(sent.issueNumber, ["decided"])
    expect((await latestMergeDecision(db.db, decided.id))?.state).toBe("ready-for-review")
    expect(world.github.requestsMatching("POST", /\/pulls$/)).toHaveLength(pullsBefore + 1)
  }, 240_000)
})
