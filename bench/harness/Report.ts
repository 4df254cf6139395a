/**
 * **Report**: the benchmark's results as data (written to `bench-results/latest.json`) and as text:
 * a table for the console and the same table in Markdown for the README's performance section.
 *
 * Every figure is the median of the repetitions with their min and max; the ratio is
 * `baseline time / Chronicle time` (relative throughput: higher is better, the target is a floor).
 * Rows measured with peers add, per peer, its time (and its own ratio to the baseline) and
 * `Chronicle ÷ peer` = `peer time / Chronicle time`, then Chronicle against the best peer with its
 * target and verdict (see `Measure`); a table without peers has the columns it always had.
 */
import * as Measure from "./Measure.ts"
import * as Stats from "./Stats.ts"
import type * as Workload from "./Workload.ts"

/**
 * A workload that ran but could not be measured (an outcome differed, a step failed).
 */
export interface Failed {
  readonly id: string
  readonly work: string
  readonly failed: string
}

/**
 * One line of the report.
 */
export type Row = Measure.Measured | Workload.Unavailable | Failed

/**
 * The live heap while folding a stream: `peak` is the most live heap (after a garbage collection)
 * seen during the fold, above `idle`, the live heap just before it. Bytes.
 */
export interface Heap {
  readonly label: string
  readonly events: number
  readonly idle: number
  readonly peak: number
}

/**
 * The whole report.
 */
export interface Report {
  readonly date: string
  /** How the ratio is defined, in words, for readers of the JSON. */
  readonly ratio: string
  /** How the peer columns are defined, in words. */
  readonly peerRatios: string
  readonly repetitions: number
  readonly warmups: number
  readonly environment: Readonly<Record<string, string>>
  readonly rows: ReadonlyArray<Row>
  readonly heap: ReadonlyArray<Heap>
}

/**
 * The definition of the ratio, as printed and stored.
 */
export const ratioDefinition =
  "ratio = baseline time / Chronicle time (Chronicle's throughput relative to plain JavaScript; higher is better, the target is a floor)"

/**
 * The definition of the peer columns, as printed (when a row has peers) and stored.
 */
export const peerRatioDefinition =
  "peer ÷ plain JS = baseline time / peer time; Chronicle ÷ peer = peer time / Chronicle time (above 1: Chronicle is faster); " +
  "best peer = the peer with the highest median throughput, its Chronicle ÷ peer checked against the peer target (a floor); " +
  "every ratio is taken per repetition, from timings of the same repetition"

const significant = (value: number): string =>
  value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value >= 1 ? value.toFixed(2) : value.toFixed(3)

/** A duration in ms, to three significant digits. */
export const milliseconds = (value: number): string => `${significant(value)} ms`

/** A rate per second with a k/M suffix. */
export const perSecond = (value: number): string =>
  value >= 1e6 ? `${significant(value / 1e6)}M/s` : value >= 1e3 ? `${significant(value / 1e3)}k/s` : `${significant(value)}/s`

/** A number of bytes in MB. */
export const megabytes = (bytes: number): string => `${significant(bytes / 2 ** 20)} MB`

const range = (stats: Stats.Stats, format: (value: number) => string) =>
  `${format(stats.median)} [${format(stats.min)}–${format(stats.max)}]`

const isMeasured = (row: Row): row is Measure.Measured => "ratio" in row

const verdict = (met: boolean | undefined) => met === undefined ? "reported" : met ? "met" : "MISSED"

const ratioRange = (stats: Stats.Stats) => range(stats, (value) => value.toFixed(3))

// A contender's time, [min–max], and its rate at the median.
const timing = (row: Measure.Measured, measured: Measure.Side) =>
  `${range(measured.time, milliseconds)} ${perSecond(Stats.rate(row.items, measured.time.median))}`

// Every peer named in the report, in the order the rows name them.
const peerNames = (rows: ReadonlyArray<Row>): ReadonlyArray<string> => [
  ...new Set(rows.filter(isMeasured).flatMap((row) => row.peers.map(({ name }) => name)))
]

const header = (peers: ReadonlyArray<string>): ReadonlyArray<string> => [
  "id",
  "work",
  "Chronicle (median [min–max])",
  "baseline (median [min–max])",
  "ratio (median [min–max])",
  "target",
  "verdict",
  ...peers.flatMap((peer) => [`${peer} (median [min–max]; ÷ plain JS)`, `Chronicle ÷ ${peer} (median [min–max])`]),
  ...(peers.length === 0 ? [] : ["Chronicle ÷ best peer (median [min–max])", "peer target", "peer verdict"])
]

const peerCells = (row: Measure.Measured, peers: ReadonlyArray<string>): ReadonlyArray<string> => {
  if (peers.length === 0) return []
  const each = peers.flatMap((name) => {
    const peer = row.peers.find((candidate) => candidate.name === name)
    if (peer === undefined) return ["", ""]
    if (!Measure.isMeasured(peer)) return ["not run (see below)", ""]
    return [`${timing(row, peer.side)}; ${peer.ratio.median.toFixed(3)}`, ratioRange(peer.versus)]
  })
  const { best } = row
  if (best === undefined) return [...each, "", "", ""]
  return [
    ...each,
    `${ratioRange(best.ratio)} (${best.peer})`,
    best.target === undefined ? "" : `≥ ${best.target}`,
    verdict(best.met)
  ]
}

const cells = (row: Row, peers: ReadonlyArray<string>): ReadonlyArray<string> => {
  if (!isMeasured(row)) {
    // In the last column, which is not padded, so that a long reason does not widen the table.
    const blank = header(peers).slice(3).map(() => "")
    return [row.id, row.work, ...blank, "unavailable" in row ? row.unavailable : `FAILED: ${row.failed}`]
  }
  return [
    row.id,
    row.work,
    timing(row, row.chronicle),
    timing(row, row.baseline),
    ratioRange(row.ratio),
    row.target === undefined ? "" : `≥ ${row.target}`,
    verdict(row.met),
    ...peerCells(row, peers)
  ]
}

// One line per lap; laps after the first also say how their rate compares with the first lap's.
const lapLines = (row: Row): ReadonlyArray<string> => {
  if (!isMeasured(row)) return []
  const rate = (side: Measure.Side, lap: Workload.Lap) => Stats.rate(lap.items, side.laps[lap.name]!.median)
  const [first] = row.laps
  return row.laps.map((lap, i) => {
    const figure = (side: Measure.Side) =>
      `${perSecond(rate(side, lap))}${i === 0 || first === undefined ? "" : ` (×${(rate(side, lap) / rate(side, first)).toFixed(2)} of the ${first.name})`}`
    const peers = row.peers.filter(Measure.isMeasured).map((peer) => `, ${peer.name} ${figure(peer.side)}`).join("")
    return `${row.id} ${lap.name} of the run: Chronicle ${figure(row.chronicle)}, baseline ${figure(row.baseline)}${peers}`
  })
}

// Why a peer was not run, one line each.
const unavailableLines = (row: Row): ReadonlyArray<string> =>
  isMeasured(row)
    ? row.peers.flatMap((peer) => "unavailable" in peer ? [`${row.id} ${peer.name} not run: ${peer.unavailable}`] : [])
    : []

const heapLines = (heap: ReadonlyArray<Heap>) =>
  heap.map(({ events, label, peak }) => `heap, ${label}, ${events.toLocaleString("en")} events: ${megabytes(peak)} live above idle (peak)`)

/**
 * The report as an aligned plain-text table, followed by laps, heap figures and the ratios' definitions.
 */
export const text = (report: Report): string => {
  const peers = peerNames(report.rows)
  const rows = [header(peers), ...report.rows.map((row) => cells(row, peers))]
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  const table = rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd())
  return [
    ...table,
    "",
    ...report.rows.flatMap(lapLines),
    ...report.rows.flatMap(unavailableLines),
    ...heapLines(report.heap),
    "",
    ratioDefinition,
    ...(peers.length === 0 ? [] : [report.peerRatios]),
    `each figure: median of ${report.repetitions} repetitions after ${report.warmups} warm-up(s), [min–max]; rates at the median`
  ].join("\n")
}

/**
 * The report as Markdown: the table, then laps and heap figures as a list.
 */
export const markdown = (report: Report): string => {
  const line = (row: ReadonlyArray<string>) => `| ${row.map((cell) => cell.replaceAll("|", "\\|")).join(" | ")} |`
  const notes = [...report.rows.flatMap(lapLines), ...report.rows.flatMap(unavailableLines), ...heapLines(report.heap)]
  const peers = peerNames(report.rows)
  return [
    line(header(peers)),
    line(header(peers).map(() => "---")),
    ...report.rows.map((row) => line(cells(row, peers))),
    "",
    ...notes.map((note) => `- ${note}`),
    "",
    `${ratioDefinition}. ${peers.length === 0 ? "" : `${report.peerRatios}. `}Each figure: median of ${report.repetitions} repetitions after ${report.warmups} warm-up(s), [min–max]; rates at the median. ${
      Object.entries(report.environment).map(([key, value]) => `${key}: ${value}`).join("; ")
    }.`
  ].join("\n")
}
