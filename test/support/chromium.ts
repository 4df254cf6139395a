/**
 * How the project starts Debian's Chromium, shared by the browser store suite, the playground's
 * end-to-end tests and the IndexedDB benchmark: the executable (`CHROMIUM`, default
 * `/usr/bin/chromium`; nothing downloads a browser) and the flags this closed machine needs.
 */

/** The Chromium executable. */
export const executablePath: string = process.env["CHROMIUM"] ?? "/usr/bin/chromium"

/** Headless launch flags: no sandbox (root), no GPU, and no background traffic to Google's hosts. */
export const args: ReadonlyArray<string> = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync"
]

/** What to say when Chromium does not start. */
export const cannotStart = (error: unknown): string =>
  `Cannot start Chromium at ${executablePath} (install it: apt-get install -y chromium, or set CHROMIUM)\n${String(error)}`
