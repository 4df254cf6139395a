/**
 * `npm run bench`: runs every workload, prints the table and writes `bench-results/latest.json`
 * (and `latest.md`, the same table in Markdown).
 *
 * W1–W4 and W6 run here, in Node, and W1-pg, W2-pg and W4-pg (W1, W2 and W4 on PostgreSQL, at
 * smaller sizes, on `DATABASE_URL`; reported unavailable without one); W5 and the heap figures run
 * in Chromium (`browser/Chromium.ts`).
 *
 * W2 and W3 run cold (records fresh from a store filled for each run, never read before in the
 * process, as after a restart) and, as `W2-warm` and `W3-warm`, warm (the same records every run).
 *
 * W1–W4 (and their warm rows) also run two peers in the same repetitions: fmodel-ts
 * (`peers/Fmodel.ts`) and Emmett (`peers/Emmett.ts`), in memory, each written to its library's
 * documented usage; the table adds each peer's time and Chronicle ÷ each peer, and Chronicle ÷ the
 * best peer against the row's peer target.
 *
 * Options: `--only W1,W3` runs some workloads (`W5` means W5a–W5c and the heap figures, `W1` means
 * W1 and W1-pg, `W2` W2, W2-warm and W2-pg, `PG` the PostgreSQL ones only);
 * `--repetitions n` (default 5, at least 5 for figures worth quoting) and `--warmups n` (default 1);
 * `--scale x` multiplies every size (e.g. 0.1 for a quick smoke run — such figures are not the
 * issue's); `--heap 20000,200000` the stream lengths of the heap figures (`none` to skip them);
 * `--peers none` skips the peers (a faster run; the peer columns stay empty);
 * `--profile` writes a CPU profile of each timed run, both sides, to `bench-results/profiles/`
 * (`<id>-<side>-<n>.cpuprofile`, `.chromium.cpuprofile` for W5), to summarise with
 * `bench/profile.ts` — figures taken while profiling are not the benchmark's.
 *
 * PGW (`--only PGW`, also part of `PG`): PostgreSQL writer scaling beside Emmett's PostgreSQL store
 * and raw inserts (`workloads/PostgresScaling.ts`), on `DATABASE_URL` and, given `--durable-url`
 * (or `DURABLE_DATABASE_URL`), again on a durable server; its own section of the report.
 *
 * Run it with `node --expose-gc` (as the npm script does) so each timed run starts after a
 * garbage collection.
 */
import { mkdirSync, writeFileSync } from "node:fs"
import { cpus } from "node:os"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import * as Chromium from "./browser/Chromium.ts"
import * as Measure from "./harness/Measure.ts"
import * as Profiler from "./harness/Profiler.ts"
import * as Report from "./harness/Report.ts"
import type * as Workload from "./harness/Workload.ts"
import * as AppendRate from "./workloads/AppendRate.ts"
import * as CommandHandling from "./workloads/CommandHandling.ts"
import * as IndexedDb from "./workloads/IndexedDb.ts"
import * as Postgres from "./workloads/Postgres.ts"
import * as PostgresScaling from "./workloads/PostgresScaling.ts"
import * as ProjectionRebuild from "./workloads/ProjectionRebuild.ts"
import * as Snapshots from "./workloads/Snapshots.ts"
import * as StreamFold from "./workloads/StreamFold.ts"

const { values } = parseArgs({
  options: {
    only: { type: "string" },
    repetitions: { type: "string", default: "5" },
    warmups: { type: "string", default: "1" },
    scale: { type: "string", default: "1" },
    heap: { type: "string", default: "20000,200000" },
    peers: { type: "string", default: "all" },
    profile: { type: "boolean", default: false },
    "durable-url": { type: "string" }
  }
})

const directory = new URL("../bench-results/", import.meta.url)
const profiles = values.profile ? fileURLToPath(new URL("profiles/", directory)) : undefined
const options: Measure.Options = {
  repetitions: Number(values.repetitions),
  warmups: Number(values.warmups),
  log: (line) => console.error(line),
  around: profiles === undefined ? undefined : Profiler.timedRuns(profiles)
}
if (values.peers !== "all" && values.peers !== "none") throw new Error(`--peers: "all" or "none", not "${values.peers}"`)
const withPeers = values.peers === "all"
const scale = Number(values.scale)
const scaled = (n: number, multiple = 1) => Math.max(multiple, Math.round((n * scale) / multiple) * multiple)
const only = values.only?.split(",").map((id) => id.trim().toUpperCase())
const selected = (id: string) =>
  only === undefined || only.includes(id.toUpperCase()) || only.includes(id.slice(0, 2).toUpperCase()) ||
  (only.includes("PG") && id.endsWith("-pg"))

/** The workloads run in this process, built only when selected. */
type Made = Workload.Workload | Workload.Unavailable
const node: ReadonlyArray<readonly [string, () => Made | Promise<Made>]> = [
  ["W1", () => CommandHandling.make({ commands: scaled(CommandHandling.size.commands, 100), accounts: 100 })],
  ["W2", () => StreamFold.make(scaled(StreamFold.size, 1_000), "cold")],
  ["W2-warm", () => StreamFold.make(scaled(StreamFold.size, 1_000), "warm")],
  ["W3", () => ProjectionRebuild.make({ accounts: 100, perAccount: scaled(ProjectionRebuild.size.perAccount, 100) }, "cold")],
  ["W3-warm", () => ProjectionRebuild.make({ accounts: 100, perAccount: scaled(ProjectionRebuild.size.perAccount, 100) }, "warm")],
  ["W4", () => AppendRate.make(scaled(AppendRate.size, 10))],
  ["W1-pg", () => Postgres.commandHandling({ commands: scaled(Postgres.size.commands, 100), accounts: Postgres.size.accounts })],
  ["W2-pg", () => Postgres.streamFold(scaled(Postgres.size.stream, 1_000))],
  ["W4-pg", () => Postgres.appendRate(scaled(Postgres.size.appends, 10))],
  ["W6a", () => Snapshots.line("W6a", scaled(Snapshots.size, 100), false)],
  ["W6b", () => Snapshots.line("W6b", scaled(Snapshots.size, 100), true)],
  ["W6c", () => Snapshots.line("W6c", scaled(Snapshots.size / 10, 100), true)]
]

const measure = async (workload: Workload.Workload | Workload.Unavailable): Promise<Report.Row> => {
  if ("unavailable" in workload) {
    console.error(`${workload.id} skipped: ${workload.unavailable}`)
    return workload
  }
  console.error(`${workload.id}: ${workload.work}`)
  try {
    return await Measure.run(withPeers ? workload : { ...workload, peers: [] }, options)
  } catch (error) {
    console.error(error)
    return { id: workload.id, work: workload.work, failed: error instanceof Error ? error.message : String(error) }
  } finally {
    await workload.dispose?.()
  }
}

if (typeof (globalThis as { gc?: unknown }).gc !== "function") {
  console.error("note: run with node --expose-gc so that each timed run starts after a garbage collection")
}

const rows: Array<Report.Row> = []
for (const [id, make] of node) if (selected(id)) rows.push(await measure(await make()))

const durableUrl = values["durable-url"] ?? process.env["DURABLE_DATABASE_URL"]
const scaling = selected(PostgresScaling.id)
  ? await PostgresScaling.run({
    servers: [
      { url: process.env["DATABASE_URL"] ?? "", label: "DATABASE_URL" },
      ...(durableUrl === undefined ? [] : [{ url: durableUrl, label: "durable: fsync and synchronous_commit on" }])
    ],
    seconds: PostgresScaling.seconds * scale,
    bulk: { events: scaled(PostgresScaling.bulkSize.events, 1_000), streams: PostgresScaling.bulkSize.streams },
    log: (line) => console.error(line)
  })
  : []

const browserIds = IndexedDb.ids.filter(selected)
const browserSize: IndexedDb.Size = {
  single: scaled(IndexedDb.size.single),
  batch: scaled(IndexedDb.size.batch),
  read: scaled(IndexedDb.size.read, 1_000)
}
const heap = values.heap === "none" || !selected("W5") ? [] : values.heap.split(",").map((n) => scaled(Number(n), 5_000))
let browser: Chromium.Results | undefined
if (browserIds.length > 0 || heap.length > 0) {
  try {
    browser = await Chromium.run({
      ids: browserIds,
      size: browserSize,
      warmups: options.warmups,
      repetitions: options.repetitions,
      heap,
      profiles,
      log: (line) => console.error(line)
    })
    rows.push(...browser.rows)
  } catch (error) {
    console.error(error)
    const failed = error instanceof Error ? error.message : String(error)
    rows.push(...browserIds.map((id) => ({ id, work: IndexedDb.describe(id, browserSize), failed })))
  }
}

const report: Report.Report = {
  date: new Date().toISOString(),
  ratio: Report.ratioDefinition,
  peerRatios: Report.peerRatioDefinition,
  repetitions: options.repetitions,
  warmups: options.warmups,
  environment: {
    node: process.version,
    cpu: `${cpus()[0]?.model ?? "unknown"} × ${cpus().length}`,
    ...(browser === undefined ? {} : { chromium: browser.chromium }),
    ...(scale === 1 ? {} : { scale: `${scale} (sizes scaled: not the issue's figures)` })
  },
  rows: [...rows].sort((a, b) => a.id.localeCompare(b.id)),
  heap: browser?.heap ?? []
}

mkdirSync(directory, { recursive: true })
const scalingPart = (text: string) => scaling.length === 0 ? "" : `\n\n${text}`
writeFileSync(new URL("latest.json", directory), `${JSON.stringify({ ...report, scaling }, null, 2)}\n`)
writeFileSync(new URL("latest.md", directory), `${Report.markdown(report)}${scalingPart(PostgresScaling.markdown(scaling))}\n`)
console.log(`${Report.text(report)}${scalingPart(PostgresScaling.text(scaling))}`)
console.log(`\nwritten: bench-results/latest.json, bench-results/latest.md`)
if ([...rows, ...scaling].some((row) => "failed" in row)) process.exitCode = 1
