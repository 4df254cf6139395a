/**
 * The playground's end-to-end tests in one command (`node test/playground/run.ts`):
 *
 * 1. builds the site with the root `vite.config.ts` (into `dist/`, the build prints its sizes);
 * 2. serves `dist/` with `vite preview` on 127.0.0.1, on a free port;
 * 3. launches the system's Chromium (`CHROMIUM`, default `/usr/bin/chromium`) through playwright-core
 *    — nothing is downloaded — and runs each scenario in a fresh browser context;
 * 4. fails a scenario that leaves an error in any page's console.
 *
 * Screenshots go to `test-results/playground/`. `--only <text>` runs the scenarios whose name
 * contains the text; `--readme docs/playground.png` also writes the README's screenshot. It prints
 * `e2e: N passed, M failed` and exits with 1 if anything failed (2 if the browser could not start).
 */
import { mkdir } from "node:fs/promises"
import { chromium } from "playwright-core"
import type { Browser, BrowserContextOptions } from "playwright-core"
import { build, preview } from "vite"
import * as Chromium from "../support/chromium.ts"
import { type Env, open, screenshots } from "./browser.ts"
import { readmeScreenshot, scenarios } from "./scenarios.ts"

const scenarioTimeout = 60_000

const indent = (text: string) => text.split("\n").map((line) => `      ${line}`).join("\n")

const withTimeout = <A>(promise: Promise<A>, millis: number): Promise<A> => {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${millis} ms`)), millis)
    })
  ]).finally(() => clearTimeout(timer))
}

/** Runs `body` in a fresh browser context; any console error of its pages fails it. */
const inContext = async (
  browser: Browser,
  url: string,
  body: (env: Env) => Promise<void>,
  options: BrowserContextOptions = { viewport: { width: 1280, height: 900 } }
) => {
  const context = await browser.newContext({ ...options, acceptDownloads: true })
  const errors: Array<string> = []
  try {
    await body({ open: (query = "") => open(context, `${url}${query}`, errors) })
    if (errors.length > 0) throw new Error(`console errors:\n${errors.join("\n")}`)
  } finally {
    await context.close()
  }
}

const main = async (): Promise<number> => {
  const started = performance.now()
  const readme = process.argv.indexOf("--readme")
  const only = process.argv.indexOf("--only")
  const chosen = only > 0 ? scenarios.filter((scenario) => scenario.name.includes(process.argv[only + 1] ?? "")) : scenarios
  await mkdir(screenshots, { recursive: true })
  await build({ logLevel: "info" })
  const server = await preview({ logLevel: "warn", preview: { host: "127.0.0.1", port: 0, strictPort: false } })
  let browser: Browser | undefined
  const results = { passed: 0, failed: 0 }
  try {
    const address = server.httpServer.address()
    if (address === null || typeof address === "string") throw new Error("the preview server has no port")
    const url = `http://127.0.0.1:${address.port}/`
    try {
      browser = await chromium.launch({ executablePath: Chromium.executablePath, headless: true, args: [...Chromium.args] })
    } catch (error) {
      console.error(Chromium.cannotStart(error))
      console.log("\ne2e: not run, Chromium could not start")
      return 2
    }
    console.log(`\nPlayground end-to-end tests: Chromium ${browser.version()}, site at ${url}`)
    for (const scenario of chosen) {
      const begun = performance.now()
      const took = () => `${Math.round(performance.now() - begun)} ms`
      try {
        await withTimeout(inContext(browser, url, scenario.run), scenarioTimeout)
        results.passed++
        console.log(`  ✓ ${scenario.name} (${took()})`)
      } catch (error) {
        results.failed++
        console.log(`  ✗ ${scenario.name} (${took()})\n${indent(error instanceof Error ? error.stack ?? error.message : String(error))}`)
      }
    }
    if (readme > 0) {
      const path = process.argv[readme + 1] ?? "docs/playground.png"
      // A wide layout drawn at 0.8 scale: everything readable, in a small file.
      await inContext(browser, url, (env) => readmeScreenshot(env, path), { viewport: { width: 1280, height: 1400 }, deviceScaleFactor: 0.8 })
      console.log(`README screenshot: ${path}`)
    }
  } finally {
    await browser?.close()
    await server.close()
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  console.log(`\ne2e: ${results.passed} passed, ${results.failed} failed (${seconds} s; screenshots in ${screenshots}/)`)
  return results.failed === 0 ? 0 : 1
}

process.exitCode = await main()
