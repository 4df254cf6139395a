/**
 * Runs the IndexedDB part of the benchmark in real Chromium: builds `page.ts` with vite into a
 * temporary directory, serves it on 127.0.0.1, launches the system's Chromium (`CHROMIUM`, default
 * `/usr/bin/chromium`) through playwright-core with a fresh profile — nothing is downloaded — and
 * drives the page:
 *
 * - W5a–W5c are measured in the page by the same harness as the Node workloads;
 * - the heap while folding a stream is sampled from here through the DevTools protocol: the live
 *   heap (`HeapProfiler.collectGarbage`, then `Runtime.getHeapUsage`), back to back while the page
 *   folds, above the live heap just before. Samples fall between the page's tasks (between two page
 *   reads), so what a reader keeps from one page to the next is seen, the records of the page
 *   being folded are not: a reader that held the stream would grow with its length, one that
 *   pages stays flat. The stream held whole in memory is measured the same way, for reference.
 *
 * With `profiles`, each timed run in the page is profiled (`console.profile`, received through the
 * DevTools `Profiler`) and written there, for `bench/profile.ts` to summarise like Node's. The page
 * is built without minification, so that profiles name functions.
 *
 * The browser profile lives in memory (`/dev/shm` where there is one, else the system's temporary
 * directory; `BENCH_PROFILE_ROOT` overrides it): IndexedDB is Chromium's real implementation, but a
 * shared machine's disk latency does not swamp the figures. Everything it creates is removed
 * afterwards.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises"
import { existsSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { chromium } from "playwright-core"
import type { BrowserContext, CDPSession, Page } from "playwright-core"
import { build, preview } from "vite"
import * as Browser from "../../test/support/chromium.ts"
import * as Source from "../../test/support/source.ts"
import * as Outcome from "../harness/Outcome.ts"
import type * as Report from "../harness/Report.ts"
import * as IndexedDb from "../workloads/IndexedDb.ts"
import * as IndexedDbHeap from "../workloads/IndexedDbHeap.ts"

/**
 * What to run in the browser.
 */
export interface Options {
  readonly ids: ReadonlyArray<IndexedDb.Id>
  readonly size: IndexedDb.Size
  readonly warmups: number
  readonly repetitions: number
  /** Stream lengths whose fold's peak heap is reported; none to skip. */
  readonly heap: ReadonlyArray<number>
  /** Where to write CPU profiles of the timed runs in the page (`<id>-<side>-<n>.chromium.cpuprofile`); none by default. */
  readonly profiles?: string | undefined
  readonly log: (line: string) => void
}

/**
 * What the browser part measured.
 */
export interface Results {
  readonly chromium: string
  readonly rows: ReadonlyArray<Report.Row>
  readonly heap: ReadonlyArray<Report.Heap>
}

const root = dirname(fileURLToPath(import.meta.url))

const profileRoot = process.env["BENCH_PROFILE_ROOT"] ?? (existsSync("/dev/shm") ? "/dev/shm" : tmpdir())

/** Writes every profile the page takes (`console.profile`) to `directory`, named by its title. */
const collectProfiles = async (devtools: CDPSession, directory: string) => {
  await mkdir(directory, { recursive: true })
  await devtools.send("Profiler.enable")
  const written: Array<Promise<void>> = []
  devtools.on("Profiler.consoleProfileFinished", ({ profile, title }) => {
    written.push(writeFile(join(directory, `${title ?? "page"}.chromium.cpuprofile`), JSON.stringify(profile)))
  })
  return () => Promise.all(written)
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error)).split("\n")[0]!

/** The live heap: the used size right after a full garbage collection. */
const liveHeap = async (devtools: CDPSession) => {
  await devtools.send("HeapProfiler.collectGarbage")
  return (await devtools.send("Runtime.getHeapUsage")).usedSize
}

/** The highest live heap above idle while `work` runs, sampled back to back. */
const peakLiveHeap = async <A>(devtools: CDPSession, work: () => Promise<A>) => {
  const idle = await liveHeap(devtools)
  let peak = idle
  let working = true
  const sampling = (async () => {
    while (working) peak = Math.max(peak, await liveHeap(devtools))
  })()
  try {
    return { result: await work(), idle, peak: peak - idle }
  } finally {
    working = false
    await sampling
  }
}

const heapFigures = async (page: Page, devtools: CDPSession, options: Options): Promise<ReadonlyArray<Report.Heap>> => {
  const figures: Array<Report.Heap> = []
  const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`
  for (const events of options.heap) {
    const started = performance.now()
    await page.evaluate((events) => window.bench.prepareHeap(events), events)
    options.log(`heap: filled a stream of ${events.toLocaleString("en")} events in ${((performance.now() - started) / 1000).toFixed(1)} s`)
    let expected: Outcome.Outcome | undefined
    for (const reader of IndexedDbHeap.readers) {
      const { idle, peak, result } = await peakLiveHeap(devtools, () => page.evaluate((reader) => window.bench.fold(reader), reader))
      expected ??= result
      if (result.events !== events || !Outcome.equals(expected, result)) {
        throw new Error(`heap: ${reader} folded ${Outcome.describe(result)}; expected ${events} events`)
      }
      options.log(`heap: fold by ${reader}, ${events} events: peak live heap ${mb(peak)} above idle`)
      figures.push({ label: `fold, ${reader}`, events, idle, peak })
    }
    const idle = await liveHeap(devtools)
    const held = await page.evaluate(() => window.bench.hold())
    const whole = (await liveHeap(devtools)) - idle
    await page.evaluate(() => window.bench.release())
    if (held !== events) throw new Error(`heap: holding the stream read ${held} records; expected ${events}`)
    options.log(`heap: the whole stream held, ${events} events: ${mb(whole)}`)
    figures.push({ label: "the whole stream held at once (reference)", events, idle, peak: whole })
  }
  return figures
}

const launch = (profile: string): Promise<BrowserContext> =>
  chromium.launchPersistentContext(profile, {
    executablePath: Browser.executablePath,
    headless: true,
    args: [
      ...Browser.args,
      "--js-flags=--expose-gc" // the harness collects garbage before each timed run
    ]
  })

/**
 * Builds and serves the page, runs the selected W5 workloads and the heap figures in Chromium, and
 * cleans up. A workload that fails becomes a failed row; a browser that cannot start fails them all.
 */
export const run = async (options: Options): Promise<Results> => {
  const outDir = await mkdtemp(join(tmpdir(), "chronicle-bench-page-"))
  const profile = await mkdtemp(join(profileRoot, "chronicle-bench-profile-"))
  let server: Awaited<ReturnType<typeof preview>> | undefined
  let context: BrowserContext | undefined
  try {
    await build({ configFile: false, root, logLevel: "warn", resolve: Source.resolve, build: { outDir, emptyOutDir: true, target: "es2022", minify: false } })
    server = await preview({ configFile: false, root, logLevel: "warn", build: { outDir }, preview: { host: "127.0.0.1", port: 0 } })
    const address = server.httpServer.address()
    if (address === null || typeof address === "string") throw new Error("the benchmark page server has no port")
    try {
      context = await launch(profile)
    } catch (error) {
      throw new Error(Browser.cannotStart(message(error)))
    }
    const page = await context.newPage()
    page.on("console", (line) => line.type() === "log" && options.log(line.text()))
    page.on("pageerror", (error) => options.log(`page error: ${error.message}`))
    await page.goto(`http://127.0.0.1:${address.port}/`)
    await page.waitForFunction(() => window.bench !== undefined)
    const devtools = await context.newCDPSession(page)
    const profilesWritten = options.profiles === undefined ? undefined : await collectProfiles(devtools, options.profiles)
    const rows: Array<Report.Row> = []
    for (const id of options.ids) {
      options.log(`${id}: ${IndexedDb.describe(id, options.size)}`)
      const { repetitions, size, warmups } = options
      const profile = profilesWritten !== undefined
      try {
        rows.push(
          await page.evaluate(
            ([id, size, repetitions, warmups, profile]) => window.bench.measure(id, size, { repetitions, warmups, profile }),
            [id, size, repetitions, warmups, profile] as const
          )
        )
      } catch (error) {
        rows.push({ id, work: IndexedDb.describe(id, options.size), failed: message(error) })
      }
    }
    let heap: ReadonlyArray<Report.Heap> = []
    try {
      heap = await heapFigures(page, devtools, options)
    } catch (error) {
      rows.push({ id: "heap", work: "peak heap while folding an IndexedDB stream", failed: message(error) })
    }
    await profilesWritten?.()
    return { chromium: context.browser()?.version() ?? "unknown", rows, heap }
  } finally {
    await context?.close()
    await server?.close()
    await rm(outDir, { recursive: true, force: true })
    await rm(profile, { recursive: true, force: true })
  }
}
