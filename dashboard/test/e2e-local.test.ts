// The dashboard on embedded defaults, as `npm start` runs it on a fresh clone:
// embedded PostgreSQL, no config, local single-operator mode. In real
// Chromium: a run created over the API appears in the list and progresses
// without a reload; its page shows the live timeline and the changed files
// (no diff text without a GitHub App, said so plainly); Cancel, confirmed,
// shows the run cancelled in the UI and in the API. Nothing loads from
// anywhere but this server.
import type { Page } from "playwright-core"
import { appendRuntimeEvents, recordModelCall } from "@patchplane/db"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ensureBuilt } from "../build.ts"
import { launchBrowser, type TestBrowser } from "./browser.ts"
import { demoSteps } from "./demo-steps.ts"
import { connectRepository, type DashboardStack, startDashboardStack } from "./stack.ts"

let stack: DashboardStack
let browser: TestBrowser

beforeAll(async () => {
  // A fresh clone builds the dashboard once (concurrent test files share the build).
  await ensureBuilt()
  ;[stack, browser] = await Promise.all([
    startDashboardStack({ embedded: true, steps: (db) => demoSteps(db, { agentMs: 3_000 }) }),
    launchBrowser(),
  ])
  await connectRepository(stack.db, "acme/widgets")
}, 400_000)
afterAll(async () => {
  await browser?.close()
  await stack?.stop()
})

const api = async (path: string, init: RequestInit = {}) => {
  const res = await fetch(`${stack.url}${path}`, {
    ...init,
    headers: { "content-type": "application/json", cookie: stack.localCookie, ...init.headers },
  })
  return { status: res.status, body: (await res.json()) as Record<string, any> }
}

/** Loads a page, waiting out the first start's on-demand build if there is one. */
const open = async (page: Page, path: string) => {
  for (let attempt = 0; ; attempt++) {
    const response = await page.goto(`${stack.url}${path}`)
    if (response?.status() !== 503 || attempt > 150) return response
    await page.waitForTimeout(1_000)
  }
}

/** Elements that stick out past the viewport's right edge and are not inside a scroll box. */
const overflowing = (page: Page) =>
  page.evaluate(() => {
    // oxlint-disable-next-line unicorn/consistent-function-scoping -- evaluate() ships this function alone to the page
    const clipped = (el: Element): boolean => {
      for (let at = el.parentElement; at !== null && at !== document.body; at = at.parentElement)
        if (getComputedStyle(at).overflowX !== "visible") return true
      return false
    }
    return [...document.body.querySelectorAll("*")]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && !clipped(el))
      .map(
        (el) =>
          `${el.tagName.toLowerCase()} "${(el.textContent ?? "").slice(0, 30)}" ends at ${Math.round(el.getBoundingClientRect().right)}px`,
      )
      .slice(0, 12)
  })

describe("dashboard on embedded defaults", () => {
  it("shows a new run live, opens it, and cancels it", async (context) => {
    expect(stack.app.database.kind).toBe("embedded")
    const page = await browser.page()
    context.onTestFailed(() => browser.screenshot(page, "local-failure").then(() => {}))
    // Without the printed sign-in URL this machine's browser is nobody.
    expect((await open(page, "/"))?.status()).toBe(200)
    await page.getByTestId("local-sign-in").waitFor()
    await browser.screenshot(page, "local-sign-in")
    // The URL `npm start` printed: signs in, then lands on the dashboard without the token.
    const signIn = new URL(stack.app.localOperator?.signInUrl ?? "")
    const response = await open(page, `${signIn.pathname}${signIn.search}`)
    expect(response?.status()).toBe(200)
    expect(page.url()).toBe(`${stack.url}/`)
    await expect.poll(() => page.getByTestId("local-mode-banner").isVisible()).toBe(true)
    await page.getByText("No runs yet.").waitFor()
    await page.getByTestId("live").getByText("Live").waitFor()

    // A run started through the API appears without a reload and moves on.
    const created = await api("/api/prompts", {
      method: "POST",
      body: JSON.stringify({ repository: "acme/widgets", prompt: "Make greet() polite" }),
    })
    expect(created.status).toBe(201)
    const runId: string = created.body.runId
    // What the model gateway records for each call the agent makes.
    for (const [input, output, cost] of [
      [1_500, 500, 0.0625],
      [2_500, 500, 0.2],
    ] as const)
      await recordModelCall(stack.db, {
        workflowRunId: runId,
        model: "scripted",
        inputTokens: input,
        outputTokens: output,
        costUsd: cost,
        status: 200,
        durationMs: 30,
      })
    const row = page.locator(`tr[data-run-id="${runId}"]`)
    await row.waitFor({ timeout: 5_000 })
    await expect.poll(() => row.textContent()).toContain("Make greet() polite")
    await row.locator('[data-state="running"]').waitFor({ timeout: 10_000 })
    await browser.screenshot(page, "local-runs-list")

    // The run page follows the agent, then the patch set.
    await row.getByRole("link").click()
    await page.waitForURL(`**/runs/${runId}`)
    await page.getByTestId("timeline").getByText("Reading src/greet.ts").waitFor()
    await page.getByTestId("timeline").getByText("bash").waitFor()
    // A tool call reads as one line; turn edges stay folded until asked for.
    await expect
      .poll(() => page.getByTestId("timeline").locator(".tl-tool summary").first().textContent())
      .toMatch(/bash: npm test · \d+\.\d s exit 0/)
    expect(await page.getByTestId("timeline").getByText("Turn 1 started").count()).toBe(0)
    await page.getByLabel("Show turn markers").check()
    await page.getByTestId("timeline").getByText("Turn 1 started").waitFor()
    expect(await page.getByTestId("run-duration").textContent()).toMatch(/^\d+(\.\d)? s so far$/)
    await page.locator('article[data-run-state="reviewing"]').waitFor({ timeout: 15_000 })
    await page.getByRole("button", { name: /src\/greet\.ts/ }).waitFor()
    await page.getByTestId("open-diff").click()
    await page.getByTestId("diff-unavailable").waitFor()
    // What it cost so far, against the policy's budget ($10 by default).
    await expect.poll(() => page.getByTestId("run-cost").textContent()).toBe("$0.26")
    expect(await page.getByTestId("run-usage").textContent()).toMatch(
      /\$0\.26 of \$10\.00 · 5\.0k tokens of 2\.00M · 2 model calls/,
    )
    expect(await page.getByTestId("diff-unavailable").textContent()).toMatch(/not stored/)
    await browser.screenshot(page, "local-run-page")

    // No horizontal scrolling on a laptop screen.
    await page.setViewportSize({ width: 1280, height: 720 })
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
    ).toBe(true)

    // Redirect: a steering message, confirmed, by keyboard alone.
    await page.locator('button[data-action="steer"]').focus()
    await page.keyboard.press("Enter")
    const dialog = page.getByRole("dialog")
    await dialog.getByLabel("Message to the agent").waitFor()
    expect(await dialog.evaluate((el) => el.contains(document.activeElement))).toBe(true)
    await page.keyboard.press("Escape")
    await dialog.waitFor({ state: "hidden" })
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-action"))).toBe(
      "steer",
    )
    await page.keyboard.press("Enter")
    await page.keyboard.type("Also update the README")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    await page.getByText("Message sent to the agent.").waitFor()
    // Or typed under the timeline, sent with Ctrl+Enter.
    await page.getByLabel("Message the agent", { exact: true }).fill("Keep the diff small")
    await page.keyboard.press("Control+Enter")
    await page.getByText("Sent: the agent reads it at its next step.").waitFor()
    expect(await page.getByLabel("Message the agent", { exact: true }).inputValue()).toBe("")

    // Cancel: confirmed in a dialog, reflected in the page and the API within a second.
    await page.locator('button[data-action="cancel"]').click()
    await dialog.getByLabel(/Reason/).fill("testing the kill path")
    const clicked = Date.now()
    await dialog.getByRole("button", { name: "Cancel run" }).click()
    await page.locator('article[data-run-state="cancelled"]').waitFor({ timeout: 1_000 })
    expect(Date.now() - clicked).toBeLessThan(1_000)
    await page.getByText("Run cancelled.").waitFor()
    // Said once, as what happened: no "yet" for a run that has ended.
    await page.getByText("Cancelled before a decision.").waitFor()
    // Over: the duration stops counting.
    expect(await page.getByTestId("run-duration").textContent()).toMatch(/^\d+(\.\d)? s$/)
    expect(await page.title()).toBe(`Run ${runId.slice(0, 8)} · Cancelled · PatchPlane`)
    expect((await api(`/api/runs/${runId}`)).body.run).toMatchObject({
      state: "cancelled",
      reason: "testing the kill path",
    })
    await browser.screenshot(page, "local-run-cancelled")

    // The list, in another tab, shows it too, and filters by state.
    const list = await browser.page(page.context())
    await open(list, "/")
    await list.locator(`tr[data-run-id="${runId}"] [data-state="cancelled"]`).waitFor()
    await list.getByLabel("State").selectOption("running")
    await list.getByText("No runs match these filters.").waitFor()
    await list.getByLabel("State").selectOption("cancelled")
    await list.locator(`tr[data-run-id="${runId}"]`).waitFor()
    expect(list.url()).toContain("state=cancelled")
    expect(await list.locator(`tr[data-run-id="${runId}"] .cell-cost`).textContent()).toBe("$0.26")
    expect(await list.locator(`tr[data-run-id="${runId}"] .cell-duration`).textContent()).toMatch(
      /^\d+(\.\d)? s$/,
    )

    // The Usage page adds up the same model calls.
    await open(list, "/usage")
    await list.getByTestId("usage-total").waitFor()
    expect(await list.getByTestId("usage-total").textContent()).toMatch(
      /^\$0\.26 for 5\.0k tokens in 2 model calls over 1 runs/,
    )
    expect(
      await list
        .locator('[data-testid="usage-repository"] tr[data-key="acme/widgets"]')
        .textContent(),
    ).toContain("$0.26")
    await browser.screenshot(list, "local-usage")
    await open(list, "/")

    // The kill switch: paused from one tab, shown in the other within a second.
    await page.getByRole("button", { name: "Pause all runs" }).click()
    await dialog.getByRole("button", { name: "Pause runs" }).click()
    await page.getByTestId("paused-banner").waitFor({ timeout: 1_000 })
    await list.getByTestId("paused-banner").waitFor({ timeout: 1_500 })
    expect((await api("/api/control")).body).toEqual({ paused: true })
    await page.getByRole("button", { name: "Resume runs" }).click()
    await dialog.getByRole("button", { name: "Resume runs" }).click()
    await list.getByTestId("paused-banner").waitFor({ state: "hidden", timeout: 1_500 })

    // A phone in dark mode, signed in as the same operator: the run page follows the
    // system's colour scheme (page, graph) and nothing scrolls sideways at 390 px.
    const phone = await browser.context({
      viewport: { width: 390, height: 844 },
      colorScheme: "dark",
    })
    await phone.addCookies(await page.context().cookies())
    const small = await browser.page(phone)
    await open(small, `/runs/${runId}`)
    await small.locator('article[data-run-state="cancelled"]').waitFor()
    await small.getByTestId("provenance-graph").waitFor({ timeout: 10_000 })
    const background = await small.evaluate(() =>
      getComputedStyle(document.body).backgroundColor.match(/\d+/g)?.slice(0, 3).map(Number),
    )
    // Dark: every channel well below the light theme's near-white.
    expect(Math.max(...(background ?? [255]))).toBeLessThan(60)
    expect(
      await small.getByTestId("provenance-graph").locator(".react-flow").getAttribute("class"),
    ).toContain("dark")
    expect(await overflowing(small)).toEqual([])
    await browser.screenshot(small, "local-run-dark-390")
    await open(small, "/")
    await small.locator(`tr[data-run-id="${runId}"]`).waitFor()
    expect(await overflowing(small)).toEqual([])
    await browser.screenshot(small, "local-runs-dark-390")

    // A long run: the page loads its newest 200 events and fetches earlier ones on request.
    const long = await api("/api/prompts", {
      method: "POST",
      body: JSON.stringify({ repository: "acme/widgets", prompt: "A long one" }),
    })
    const longId: string = long.body.runId
    await appendRuntimeEvents(
      stack.db,
      longId,
      Array.from({ length: 260 }, (_, i) => ({
        kind: "message",
        payload: { kind: "message", role: "assistant", text: `long step ${i + 1}.` },
      })),
    )
    await open(page, `/runs/${longId}`)
    const timeline = page.getByTestId("timeline")
    await timeline.getByText("long step 260.").waitFor()
    expect(await timeline.getByText("long step 1.", { exact: true }).count()).toBe(0)
    const earlier = page.getByRole("button", { name: /Show earlier events/ })
    await earlier.click()
    await timeline.getByText("long step 1.", { exact: true }).waitFor()
    await earlier.waitFor({ state: "detached" })
    await api(`/api/runs/${longId}/cancel`, { method: "POST", body: "{}" })

    const origin = new URL(stack.url).origin
    const elsewhere = browser.requests.filter(
      (url) => !url.startsWith(origin) && !url.startsWith("data:") && !url.startsWith("blob:"),
    )
    expect(elsewhere).toEqual([])
    expect(browser.errors).toEqual([])
  }, 90_000)
})
