// Real headless Chromium (Debian's package) driven by playwright-core: no
// downloaded browsers. Every request the page makes is recorded, so a test
// can prove nothing left this machine (no CDN, no telemetry).
import { mkdir } from "node:fs/promises"
import { join, resolve } from "node:path"
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Page,
} from "playwright-core"

export const ARTIFACTS = resolve(import.meta.dirname, "../../test-artifacts/dashboard")

export interface TestBrowser {
  readonly browser: Browser
  /** Every URL any page requested. */
  readonly requests: string[]
  /** Console errors and uncaught page errors. */
  readonly errors: string[]
  /** A fresh browser profile; `options` set e.g. a phone's viewport or the dark colour scheme. */
  context(options?: BrowserContextOptions): Promise<BrowserContext>
  page(context?: BrowserContext): Promise<Page>
  screenshot(page: Page, name: string): Promise<string>
  close(): Promise<void>
}

export const launchBrowser = async (): Promise<TestBrowser> => {
  await mkdir(ARTIFACTS, { recursive: true })
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      // Playwright gives every launch a fresh, temporary --user-data-dir itself.
    ],
  })
  const requests: string[] = []
  const errors: string[] = []
  const contexts: BrowserContext[] = []
  const context = async (options: BrowserContextOptions = {}) => {
    const created = await browser.newContext({ viewport: { width: 1366, height: 900 }, ...options })
    created.on("request", (request) => requests.push(request.url()))
    contexts.push(created)
    return created
  }
  return {
    browser,
    requests,
    errors,
    context,
    page: async (ctx) => {
      const page = await (ctx ?? (await context())).newPage()
      page.on("console", (message) => {
        // Failed loads are reported with their URL below.
        if (message.type() === "error" && !message.text().startsWith("Failed to load resource"))
          errors.push(message.text())
      })
      page.on("pageerror", (error) => errors.push(String(error)))
      page.on("response", (response) => {
        if (response.status() >= 400 && response.status() !== 503)
          errors.push(`${response.status()} ${response.url()}`)
      })
      return page
    },
    screenshot: async (page, name) => {
      const path = join(ARTIFACTS, `${name}.png`)
      await page.screenshot({ path, fullPage: true })
      return path
    },
    close: async () => {
      for (const ctx of contexts) await ctx.close().catch(() => {})
      await browser.close()
    },
  }
}
