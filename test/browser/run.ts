/**
 * The browser test suite in one command (`npm run test:browser`, i.e. `node test/browser/run.ts`):
 *
 * 1. builds the test page (`page/`) with vite into a temporary directory and serves it on 127.0.0.1;
 * 2. launches the system's Chromium (`CHROMIUM`, default `/usr/bin/chromium`) through playwright-core
 *    with a fresh profile — nothing is downloaded;
 * 3. runs the EventStore contract in the page, on the in-memory and the IndexedDB layers;
 * 4. runs the scenarios of `tabs.ts` (several pages, reloads, versionchange, blocked, layout upgrade,
 *    foreign database, quota).
 *
 * It prints a line per test and a summary, removes what it created, and exits with 1 if anything
 * failed (or with 2 if the browser could not be started).
 */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { chromium } from "playwright-core"
import type { BrowserContext, Page } from "playwright-core"
import { build, preview } from "vite"
import type { Suite } from "./page/main.ts"
import * as Chromium from "../support/chromium.ts"
import * as Source from "../support/source.ts"
import { call, scenarios } from "./tabs.ts"
import type { Tabs } from "./tabs.ts"

const checkTimeout = 300_000
const root = join(dirname(fileURLToPath(import.meta.url)), "page")

const results = { passed: 0, failed: 0 }

/** Runs one test with a time limit and prints its line. */
const test = async (name: string, body: () => Promise<string | void>, millis = checkTimeout): Promise<boolean> => {
  const started = performance.now()
  let timer: NodeJS.Timeout | undefined
  try {
    const note = await Promise.race([
      body(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${millis} ms`)), millis)
      })
    ])
    results.passed++
    console.log(`  ✓ ${name} (${Math.round(performance.now() - started)} ms)${note ? `: ${note}` : ""}`)
    return true
  } catch (error) {
    results.failed++
    const message = error instanceof Error ? error.message : String(error)
    console.log(`  ✗ ${name} (${Math.round(performance.now() - started)} ms)\n${indent(message.slice(0, 4000))}`)
    return false
  } finally {
    clearTimeout(timer)
  }
}

const indent = (text: string) => text.split("\n").map((line) => `      ${line}`).join("\n")

const ready = (page: Page) => page.waitForFunction(() => window.chronicle !== undefined)

const openPage = async (context: BrowserContext, url: string) => {
  const page = await context.newPage()
  page.on("pageerror", (error) => console.log(`    page error: ${error.message}`))
  await page.goto(url)
  await ready(page)
  return page
}

const contract = async (context: BrowserContext, url: string, suite: Suite) => {
  console.log(`EventStore contract: ${suite} (Chromium)`)
  let page = await openPage(context, url)
  for (const [index, check] of (await call(page, "checks", suite)).entries()) {
    const passed = await test(`${check.group} › ${check.name}`, async () => {
      const outcome = await call(page, "runCheck", suite, index)
      if (!outcome.ok) throw new Error(`${outcome.error.tag}: ${outcome.error.message}`)
    })
    if (!passed) { // a check that timed out may still run: go on in a fresh page
      await page.close()
      page = await openPage(context, url)
    }
  }
  await page.close()
}

const main = async () => {
  const started = performance.now()
  const outDir = await mkdtemp(join(tmpdir(), "chronicle-browser-page-"))
  const profile = await mkdtemp(join(tmpdir(), "chronicle-browser-profile-"))
  let context: BrowserContext | undefined
  const servers: Array<Awaited<ReturnType<typeof preview>>> = []
  try {
    await build({ configFile: false, root, logLevel: "warn", resolve: Source.resolve, build: { outDir, emptyOutDir: true, target: "es2022" } })
    const serve = async () => {
      const server = await preview({
        configFile: false,
        root,
        logLevel: "warn",
        build: { outDir },
        preview: { host: "127.0.0.1", port: 0 }
      })
      servers.push(server)
      const address = server.httpServer.address()
      if (address === null || typeof address === "string") throw new Error("the test page server has no port")
      return `http://127.0.0.1:${address.port}/`
    }
    const [url, isolatedUrl] = [await serve(), await serve()]
    try {
      context = await chromium.launchPersistentContext(profile, {
        executablePath: Chromium.executablePath,
        headless: true,
        args: [...Chromium.args]
      })
    } catch (error) {
      console.error(Chromium.cannotStart(error))
      return 2
    }
    console.log(`Chromium ${context.browser()?.version() ?? ""}, test page at ${url}`)
    await contract(context, url, "memory")
    await contract(context, url, "indexeddb")
    console.log("Tabs, reloads and the browser's limits (IndexedDB)")
    const browserContext = context
    const tabs: Tabs = {
      open: () => openPage(browserContext, url),
      reload: async (page) => {
        await page.reload()
        await ready(page)
      },
      openIsolated: async () => {
        const page = await openPage(browserContext, isolatedUrl)
        return { page, devtools: await browserContext.newCDPSession(page), origin: new URL(isolatedUrl).origin }
      }
    }
    for (const scenario of scenarios) {
      await test(scenario.name, () => scenario.run(tabs), 60_000)
      for (const page of browserContext.pages()) await page.close()
    }
  } finally {
    await context?.close()
    for (const server of servers) await server.close()
    await rm(outDir, { recursive: true, force: true })
    await rm(profile, { recursive: true, force: true })
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  console.log(`\nbrowser: ${results.passed} passed, ${results.failed} failed (${seconds} s)`)
  return results.failed === 0 ? 0 : 1
}

process.exitCode = await main()
