/**
 * **Report**: the benchmark's results as data (written to `bench-results/latest.json`) and as text:
 * a table for the console and the same table in Markdown for the README's performance section.
 *
 * Every figure is the median of the repetitions with their min and max; the ratio is
 * `baseline time / Chronicle time` (relative throughput: higher is better, the target is a floor).
 */
import type * as Measure from "./Measure.ts"
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

const verdict = (row: Measure.Measured) => row.met === undefined ? "reported" : row.met ? "met" : "MISSED"

const header = ["id", "work", "Chronicle (median [min–max])", "baseline (median [min–max])", "ratio (median [min–max])", "target", "verdict"]

const cells = (row: Row): ReadonlyArray<string> => {
  if (!isMeasured(row)) {
    // In the last column, which is not padded, so that a long reason does not widen the table.
    return [row.id, row.work, "", "", "", "", "unavailable" in row ? row.unavailable : `FAILED: ${row.failed}`]
  }
  const side = (measured: Measure.Side) =>
    `${range(measured.time, milliseconds)} ${perSecond(Stats.rate(row.items, measured.time.median))}`
  return [
    row.id,
    row.work,
    side(row.chronicle),
    side(row.baseline),
    range(row.ratio, (value) => value.toFixed(3)),
    row.target === undefined ? "" : `≥ ${row.target}`,
    verdict(row)
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
    return `${row.id} ${lap.name} of the run: Chronicle ${figure(row.chronicle)}, baseline ${figure(row.baseline)}`
  })
}

const heapLines = (heap: ReadonlyArray<Heap>) =>
  heap.map(({ events, label, peak }) => `heap, ${label}, ${events.toLocaleString("en")} events: ${megabytes(peak)} live above idle (peak)`)

/**
 * The report as an aligned plain-text table, followed by laps, heap figures and the ratio's definition.
 */
export const text = (report: Report): string => {
  const rows = [header, ...report.rows.map(cells)]
  const widths = header.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  const table = rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd())
  return [
    ...table,
    "",
    ...report.rows.flatMap(lapLines),
    ...heapLines(report.heap),
    "",
    ratioDefinition,
    `each figure: median of ${report.repetitions} repetitions after ${report.warmups} warm-up(s), [min–max]; rates at the median`
  ].join("\n")
}

/**
 * The report as Markdown: the table, then laps and heap figures as a list.
 */
export const markdown = (report: Report): string => {
  const line = (row: ReadonlyArray<string>) => `| ${row.map((cell) => cell.replaceAll("|", "\\|")).join(" | ")} |`
  const notes = [...report.rows.flatMap(lapLines), ...heapLines(report.heap)]
  return [
    line(header),
    line(header.map(() => "---")),
    ...report.rows.map(cells).map(line),
    "",
    ...notes.map((note) => `- ${note}`),
    "",
    `${ratioDefinition}. Each figure: median of ${report.repetitions} repetitions after ${report.warmups} warm-up(s), [min–max]; rates at the median. ${
      Object.entries(report.environment).map(([key, value]) => `${key}: ${value}`).join("; ")
    }.`
  ].join("\n")
}
