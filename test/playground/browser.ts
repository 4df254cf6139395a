/**
 * What the playground's end-to-end tests do with a page: open it (tracking console errors), send
 * a command through the form, wait for text, read the log, take screenshots.
 */
import assert from "node:assert/strict"
import type { BrowserContext, Locator, Page } from "playwright-core"

/** Where screenshots go (not committed). */
export const screenshots = "test-results/playground"

/** A page of the playground with the errors its console reported. */
export interface Opened {
  readonly page: Page
  readonly errors: Array<string>
}

/** What a test gets: pages of a browser context of its own (fresh storage, shared by its pages). */
export interface Env {
  /** Opens the playground with `query` (e.g. `?store=indexeddb`), ready, animations instant. */
  readonly open: (query?: string) => Promise<Page>
}

/** Opens a page, tracking its console errors and uncaught exceptions in `errors`. */
export const open = async (context: BrowserContext, url: string, errors: Array<string>): Promise<Page> => {
  const page = await context.newPage()
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text()}`)
  })
  page.on("pageerror", (error) => errors.push(`page error: ${error.message}`))
  await page.goto(url)
  await ready(page)
  return page
}

/** Waits until the page's store is open, and makes the flow animation instant. */
export const ready = async (page: Page): Promise<void> => {
  await page.waitForSelector("body[data-ready]", { timeout: 15_000 })
  await page.selectOption("#pace", "0")
}

/** Polls `probe` until `done` holds, or fails after `millis` saying what it last saw. */
export const until = async <A>(what: string, probe: () => Promise<A>, done: (value: A) => boolean, millis = 8_000): Promise<A> => {
  const deadline = Date.now() + millis
  for (;;) {
    const value = await probe()
    if (done(value)) return value
    if (Date.now() > deadline) assert.fail(`${what}: still ${JSON.stringify(value)} after ${millis} ms`)
    await new Promise((resolve) => setTimeout(resolve, 30))
  }
}

/** Waits until the text of `locator` contains `text`. */
export const hasText = (locator: Locator, text: string, millis?: number): Promise<string> =>
  until(`text containing ${JSON.stringify(text)}`, () => locator.innerText().catch(() => ""), (value) => value.includes(text), millis)

/** Picks a domain in the header. */
export const pickDomain = async (page: Page, key: "bank" | "user" | "bulb" | "cart"): Promise<void> => {
  await page.click(`label[for=domain-${key}]`)
  await page.waitForSelector(`#command-form input[name=command]:checked`)
}

/**
 * Sends a command through the form: picks its case, fills the fields given, submits, and returns
 * the outcome's text once it is shown.
 */
export const send = async (page: Page, tag: string, fields: Readonly<Record<string, string>> = {}): Promise<string> => {
  await page.click(`label[for=command-${tag}]`)
  for (const [name, value] of Object.entries(fields)) {
    const control = page.locator(`#field-${name}`)
    if (await control.evaluate((element) => element.tagName === "SELECT")) await control.selectOption(value)
    else await control.fill(value)
  }
  await page.evaluate(() => document.getElementById("outcome")?.replaceChildren())
  await page.getByRole("button", { name: "Send command" }).click()
  return await page.locator("#outcome .outcome").innerText()
}

/** Waits for the flow of the last command to finish (its last step printed). */
export const flowDone = (page: Page, last = "evolve →"): Promise<string> => hasText(page.locator("#flow-steps"), last)

/** One row of the event log as shown. */
export interface Row {
  readonly position: string
  readonly stream: string
  readonly version: string
  readonly type: string
  readonly payload: string
  readonly metadata: string
}

/** The rows of the event log, oldest first (the page shows them newest first). */
export const logRows = async (page: Page): Promise<ReadonlyArray<Row>> => {
  const rows = await page.locator("#log tbody tr").evaluateAll((rows) =>
    rows.map((row) => {
      const cell = (label: string) => row.querySelector(`td[data-label="${label}"]`)?.textContent ?? ""
      return {
        position: cell("Position"),
        stream: cell("Stream"),
        version: cell("Version"),
        type: cell("Type"),
        payload: cell("Payload"),
        metadata: cell("Metadata")
      }
    })
  )
  return rows.reverse()
}

/** Waits until the log shows `count` events. */
export const logHas = (page: Page, count: number): Promise<ReadonlyArray<Row>> =>
  until(`the log of ${count} events`, () => logRows(page), (rows) => rows.length === count)

/** The cards of a read model (`bank/balances`) as `key → text`, fields as `name value · name value`. */
export const readModel = (page: Page, key: string): Promise<Record<string, string>> =>
  page.locator(`[data-model="${key}"] .card`).evaluateAll((cards) =>
    Object.fromEntries(cards.map((card) => {
      const terms = [...card.querySelectorAll("dt")].map((term) => `${term.textContent} ${term.nextElementSibling?.textContent}`)
      return [card.getAttribute("data-key") ?? "", terms.length > 0 ? terms.join(" · ") : card.querySelector("code")?.textContent ?? ""]
    }))
  )

/** Saves a screenshot of the page (or of one element) under {@link screenshots}. */
export const shot = async (page: Page, name: string, selector?: string): Promise<void> => {
  const path = `${screenshots}/${name}.png`
  if (selector === undefined) await page.screenshot({ path, fullPage: true })
  else await page.locator(selector).screenshot({ path })
}
