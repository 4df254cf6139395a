/**
 * **PGW — PostgreSQL writer scaling** (`--only PGW`): how appends scale with the number of
 * concurrent writers, beside Emmett's PostgreSQL store and two raw-insert baselines, on the same
 * server in the same run; then bank-account commands, and a bulk import.
 *
 * - **Appends.** For W = 1, 4, 16 and 64: W writers (fibers, in one process) on W distinct
 *   streams, each appending one event per call with the exact expected version, for `seconds`
 *   (2 s by default, {@link seconds}) per cell. Sides:
 *   - Chronicle: `Postgres.layer({ url, schema, client: { maxConnections } })` and
 *     `EventStore.append` — the public API, so a new append path shows here unchanged.
 *   - Emmett 0.42: `appendToStream` with `expectedStreamVersion` (`peers/EmmettPostgres.ts`).
 *   - raw BEGIN/INSERT/COMMIT and raw autocommit INSERT: one `INSERT` of the row, in a transaction
 *     or alone, through `@effect/sql-pg`, into Chronicle's own `events` table (same columns, same
 *     unique `(stream_id, version)`; positions from a sequence): what PostgreSQL itself does for
 *     one row, the floor every event store stands on.
 * - **Commands.** At W = 16, bank-account deposits, each loaded, decided and appended: Chronicle's
 *   `CommandHandler` against Emmett's `DeciderCommandHandler` with the same `decide`/`evolve`.
 * - **Bulk import.** `LogFile.importLog` of a log of 50,000 events over 500 streams (runs of 10
 *   events per stream, interleaved) into an empty schema, against a raw import of the same records:
 *   one transaction of multi-row `INSERT … SELECT FROM unnest(…)` statements of 5,000 rows.
 *
 * **Connections.** Every side gets a pool of {@link connectionsFor}(W) connections for its
 * writers: W, at most {@link maxConnections}; the writers beyond it queue for a connection, which
 * is part of their latency. Chronicle's pool has one more, which its store holds to `LISTEN` for
 * appends of other processes. (On 2 shared cores, W = 64 with 64 connections against 16, fsync
 * off, two rounds: Chronicle 58–62/s against 149–200/s, Emmett 428–647/s against 372–566/s.)
 *
 * **Honest figures.** Each cell has a fresh log (a new schema; Emmett's tables, in a database of
 * their own, emptied) and a new pool, warmed up untimed by {@link warmups} appends per writer
 * (connections opened, statements prepared). Only the appends are timed; each append's latency is
 * taken around the call. After each cell each side's log is counted by SQL: every stream must
 * hold versions 1…n without a gap, n = warm-up + acknowledged appends, and no other stream may
 * exist — else the benchmark fails. Each figure is the median of {@link runs} runs [min–max];
 * cells run W by W, side by side, run after run, so that the sides share the machine's moods.
 *
 * Runs on `DATABASE_URL`, and again on a durable server (fsync and synchronous_commit on) given
 * by `--durable-url` or `DURABLE_DATABASE_URL`; unavailable otherwise, with the reason.
 */
import { ExpectedVersion } from "@chronicle/core"
import { BankAccount } from "@chronicle/examples"
import { EventStore, LogFile } from "@chronicle/runtime"
import { Postgres } from "@chronicle/store-postgres"
import { PgClient } from "@effect/sql-pg"
import { Context, Effect, Exit, Layer, Redacted, Scope } from "effect"
import { SqlClient } from "effect/sql"
import type { Statement } from "effect/sql"
import { randomBytes, randomUUID } from "node:crypto"
import * as Bank from "../fixtures/Bank.ts"
import * as Stores from "../fixtures/Stores.ts"
import * as Latency from "../harness/Latency.ts"
import * as Report from "../harness/Report.ts"
import * as Stats from "../harness/Stats.ts"
import type * as Workload from "../harness/Workload.ts"
import * as Writers from "../harness/Writers.ts"
import * as EmmettPostgres from "../peers/EmmettPostgres.ts"

/**
 * The id that selects the section.
 *
 * @example
 * ```ts
 * // npm run bench -- --only PGW
 * if (selected(PostgresScaling.id)) await PostgresScaling.run(options)
 * ```
 */
export const id = "PGW"

/** The numbers of concurrent writers of the append cells. */
const writerCounts = [1, 4, 16, 64] as const

/** The writers of the command cells. */
const commandWriters = 16

/** The most connections a side's pool has for its writers. */
const maxConnections = 16

/** The pool size for W writers: W, at most {@link maxConnections}. */
const connectionsFor = (writers: number): number => Math.min(writers, maxConnections)

/** Untimed appends (or commands) per writer before each timed cell. */
const warmups = 5

/**
 * Timed seconds per cell: the whole section takes about three minutes.
 *
 * @example
 * ```ts
 * PostgresScaling.run({ ...options, seconds: PostgresScaling.seconds * scale })
 * ```
 */
export const seconds = 2

/** Runs per cell; each figure is their median. */
const runs = 3

/**
 * The bulk import's log: 50,000 events over 500 streams.
 *
 * @example
 * ```ts
 * PostgresScaling.run({ ...options, bulk: PostgresScaling.bulkSize })
 * ```
 */
export const bulkSize = { events: 50_000, streams: 500 } as const

const bulkChunk = 5_000

/** A server to run on, and what to call it in the report. */
export interface Server {
  readonly url: string
  /** e.g. `fsync off` or `durable: fsync and synchronous_commit on`. */
  readonly label: string
}

/** How the section runs. */
export interface Options {
  readonly servers: ReadonlyArray<Server>
  /** Timed seconds per cell ({@link seconds} by default). */
  readonly seconds: number
  /** The bulk import's log (scaled for smoke runs). */
  readonly bulk: { readonly events: number; readonly streams: number }
  readonly log: (line: string) => void
}

/** One side at one W over the runs: events (or commands) per second and latency percentiles. */
export interface Cell {
  readonly side: string
  readonly writers: number
  readonly connections: number
  /** Operations per second per run. */
  readonly rate: Stats.Stats
  /** Acknowledged operations per run. */
  readonly operations: ReadonlyArray<number>
  /** Median over the runs of each run's p50 and p99, in milliseconds. */
  readonly latency: Latency.Latency
}

/** The bulk import on one side: events per second per run. */
export interface Import {
  readonly side: string
  readonly rate: Stats.Stats
}

/**
 * Chronicle's rate ÷ Emmett's at one W, per run — the two ran back to back, so a run's ratio
 * compares figures taken seconds apart — summarised over the runs.
 */
export interface Ratio {
  readonly writers: number
  readonly ratio: Stats.Stats
}

/** A target and whether it was met. */
export interface Verdict {
  readonly target: string
  readonly figure: string
  readonly met: boolean
}

/** The section on one server. */
export interface Section {
  readonly id: string
  readonly server: string
  readonly seconds: number
  readonly appends: ReadonlyArray<Cell>
  /** Chronicle ÷ Emmett of the append cells, by W. */
  readonly appendRatios: ReadonlyArray<Ratio>
  readonly commands: ReadonlyArray<Cell>
  /** Chronicle ÷ Emmett of the command cells. */
  readonly commandRatios: ReadonlyArray<Ratio>
  readonly imports: ReadonlyArray<Import>
  readonly bulk: { readonly events: number; readonly streams: number }
  readonly verdicts: ReadonlyArray<Verdict>
}

/** The events of a stream: how many and its first and last version. */
type StreamCount = EmmettPostgres.StreamCount

/** One side opened for one cell. */
interface Opened {
  /** Writer `w`'s `n`-th operation (an append of version n, or its n-th command). */
  readonly operation: (writer: number, n: number) => Effect.Effect<unknown, unknown>
  readonly streams: () => Promise<ReadonlyArray<StreamCount>>
  readonly close: () => Promise<void>
}

type Opener = (connections: number) => Promise<Opened>

const streamOf = (writer: number) => BankAccount.streamId(`${writer}`)

// Version 1 opens the account; every later one is a deposit.
const eventAt = (writer: number, version: number): BankAccount.Event =>
  version === 1
    ? { _tag: "AccountOpened", accountId: `${writer}`, owner: `Owner ${writer}` }
    : { _tag: "Deposited", accountId: `${writer}`, amount: 5 + (version % 17) }

const commandAt = (writer: number, n: number): BankAccount.Command =>
  n === 1
    ? { _tag: "Open", accountId: `${writer}`, owner: `Owner ${writer}` }
    : { _tag: "Deposit", accountId: `${writer}`, amount: 5 + (n % 17) }

const shown = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@")

const onDatabase = (url: string, database: string) => {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

const failureOf = (exit: Exit.Exit<unknown, unknown>) => {
  const error = Exit.isFailure(exit) ? Exit.findErrorOption(exit) : undefined
  const value: unknown = error?._tag === "Some" ? error.value : undefined
  const cause = (value as { readonly reason?: { readonly cause?: unknown } } | undefined)?.reason?.cause
  return cause instanceof Error ? cause.message : value instanceof Error ? value.message : "the connection failed"
}

/** A pool on a server, in its own scope. */
interface Pool {
  readonly sql: SqlClient.SqlClient
  readonly run: <A, E>(effect: Effect.Effect<A, E, SqlClient.SqlClient>) => Promise<A>
  readonly close: () => Promise<void>
}

const pool = async (url: string, connections: number): Promise<Pool | string> => {
  const scope = Scope.makeUnsafe()
  const built = await Effect.runPromiseExit(
    Layer.buildWithScope(PgClient.layer({ url: Redacted.make(url), maxConnections: connections, connectTimeout: "3 seconds" }), scope)
      .pipe(
        Effect.tap((context) => Effect.provideContext(SqlClient.SqlClient.use((sql) => sql`SELECT 1`), context)),
        Effect.timeout("5 seconds")
      )
  )
  if (Exit.isFailure(built)) {
    await Effect.runPromise(Scope.close(scope, Exit.void))
    return `no database at ${shown(url)} (${failureOf(built)})`
  }
  const sql = Context.get(built.value, SqlClient.SqlClient).withoutTransforms()
  return {
    sql,
    run: (effect) => Effect.runPromise(Effect.provideService(effect, SqlClient.SqlClient, sql)),
    close: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

/** The streams of a Chronicle-shaped `events` table, counted. */
const counted = (sql: SqlClient.SqlClient, table: Statement.Fragment) =>
  Effect.map(
    sql<{ readonly stream_id: string; readonly events: number; readonly first: number; readonly last: number }>`
      SELECT stream_id, count(*)::int AS events, min(version) AS first, max(version) AS last FROM ${table}
      GROUP BY stream_id`,
    (rows): ReadonlyArray<StreamCount> =>
      rows.map((row) => ({ streamId: row.stream_id, events: row.events, first: row.first, last: row.last }))
  )

/**
 * Throws unless the log (its streams, counted) holds what was acknowledged: each stream of
 * `expected` versions 1…n without a gap, n as given, and no other stream.
 *
 * @example
 * ```ts
 * PostgresScaling.checkLog("Emmett", await store.streams(), new Map([["account-0", 42]]))
 * ```
 */
export const checkLog = (side: string, streams: ReadonlyArray<StreamCount>, expected: ReadonlyMap<string, number>): void => {
  const problems: Array<string> = []
  for (const stream of streams) {
    const n = expected.get(stream.streamId)
    if (n === undefined) problems.push(`unexpected stream ${stream.streamId}`)
    else if (stream.events !== n || stream.first !== 1 || stream.last !== n) {
      problems.push(`${stream.streamId} holds ${stream.events} events, versions ${stream.first}–${stream.last}, not 1–${n}`)
    }
  }
  const present = new Set(streams.map((stream) => stream.streamId))
  for (const streamId of expected.keys()) if (!present.has(streamId)) problems.push(`${streamId} is missing`)
  if (problems.length > 0) {
    throw new Error(`${side}: the log does not hold what was acknowledged: ${problems.slice(0, 3).join("; ")}`)
  }
}

/** What every side of a server shares: an admin pool, fresh schemas, Emmett's database. */
interface Bench {
  readonly url: string
  readonly admin: Pool
  /** A fresh schema name, dropped by `cleanup`. */
  readonly schema: () => string
  readonly emmettUrl: string
  /** Drops the schemas made so far. */
  readonly cleanup: () => Promise<void>
  readonly close: () => Promise<void>
}

const bench = async (url: string): Promise<Bench | string> => {
  const admin = await pool(url, 2)
  if (typeof admin === "string") return admin
  const schemas: Array<string> = []
  const emmett = `bench_emmett_${randomBytes(6).toString("hex")}`
  const drop = (schema: string) => admin.run(Effect.ignore(admin.sql`DROP SCHEMA IF EXISTS ${admin.sql(schema)} CASCADE`))
  const cleanup = async () => {
    for (let schema = schemas.pop(); schema !== undefined; schema = schemas.pop()) await drop(schema)
  }
  await admin.run(admin.sql`CREATE DATABASE ${admin.sql(emmett)}`)
  return {
    url,
    admin,
    schema: () => {
      const schema = `bench_${randomBytes(6).toString("hex")}`
      schemas.push(schema)
      return schema
    },
    emmettUrl: onDatabase(url, emmett),
    cleanup,
    close: async () => {
      await cleanup()
      await admin.run(Effect.ignore(admin.sql`DROP DATABASE IF EXISTS ${admin.sql(emmett)} WITH (FORCE)`))
      await admin.close()
    }
  }
}

/** Chronicle's store on a fresh schema, through `Postgres.layer`; +1 connection for its listener. */
const chronicleStore = async (on: Bench, connections: number) => {
  const schema = on.schema()
  const scope = Scope.makeUnsafe()
  const layer = Postgres.layer({ url: on.url, schema, client: { maxConnections: connections + 1 } })
  const context = await Effect.runPromise(Layer.buildWithScope(layer, scope))
  return {
    store: Context.get(context, EventStore.EventStore),
    streams: () => on.admin.run(counted(on.admin.sql, on.admin.sql`${on.admin.sql(schema)}.events`)),
    close: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

const chronicleAppends = (on: Bench): Opener => async (connections) => {
  const { close, store, streams } = await chronicleStore(on, connections)
  return {
    operation: (writer, version) =>
      store.append(streamOf(writer), Bank.pending(streamOf(writer), [eventAt(writer, version)]), ExpectedVersion.exact(version - 1)),
    streams,
    close
  }
}

const chronicleCommands = (on: Bench): Opener => async (connections) => {
  const { close, store, streams } = await chronicleStore(on, connections)
  return {
    operation: (writer, n) => Effect.provideService(Bank.handler.handle(commandAt(writer, n)), EventStore.EventStore, store),
    streams,
    close
  }
}

/** Emmett's store on its database, its tables emptied first. */
const emmettStore = async (on: Bench, connections: number) => {
  const store = await EmmettPostgres.open(on.emmettUrl, connections)
  await store.clear()
  return store
}

const emmettAppends = (on: Bench): Opener => async (connections) => {
  const store = await emmettStore(on, connections)
  return {
    operation: (writer, version) =>
      Effect.tryPromise(() => store.append(streamOf(writer), eventAt(writer, version), version - 1)),
    streams: store.streams,
    close: store.close
  }
}

const emmettCommands = (on: Bench): Opener => async (connections) => {
  const store = await emmettStore(on, connections)
  return {
    operation: (writer, n) => Effect.tryPromise(() => store.handle(commandAt(writer, n))),
    streams: store.streams,
    close: store.close
  }
}

/**
 * A raw table: Chronicle's own `events` table (`Postgres.migrate` on a fresh schema), its positions
 * taken from a sequence (Chronicle's store hands them out under its head lock); with its own pool.
 */
const rawTable = async (on: Bench, connections: number) => {
  const schema = on.schema()
  const { sql } = on.admin
  const positions = `${schema}.raw_positions`
  await on.admin.run(Postgres.migrate({ schema }))
  await on.admin.run(Effect.andThen(
    sql`CREATE SEQUENCE ${sql(schema)}.raw_positions`,
    sql`ALTER TABLE ${sql(schema)}.events ALTER COLUMN position SET DEFAULT nextval(${sql.literal(`'${positions}'`)})`
  ))
  const opened = await pool(on.url, connections)
  if (typeof opened === "string") throw new Error(opened)
  const table = opened.sql`${opened.sql(schema)}.events`
  return {
    ...opened,
    table,
    streams: () => on.admin.run(counted(on.admin.sql, on.admin.sql`${on.admin.sql(schema)}.events`))
  }
}

const metadata = () => JSON.stringify({ eventId: randomUUID(), recordedAt: Date.now() })

const rawAppends = (on: Bench, transaction: boolean): Opener => async (connections) => {
  const raw = await rawTable(on, connections)
  const { sql, table } = raw
  const insert = (writer: number, version: number) => {
    const event = eventAt(writer, version)
    return sql`INSERT INTO ${table} (stream_id, version, type, data, metadata)
      VALUES (${streamOf(writer)}, ${version}, ${event._tag}, ${JSON.stringify(event)}::jsonb, ${metadata()}::jsonb)`
  }
  return {
    operation: transaction ? (writer, version) => sql.withTransaction(insert(writer, version)) : insert,
    streams: raw.streams,
    close: raw.close
  }
}

/** One timed cell: open, warm up, time, verify, close. */
const cell = async (open: Opener, side: string, writers: number, seconds: number) => {
  const connections = connectionsFor(writers)
  const opened = await open(connections)
  try {
    const drive = (from: number, stop: Writers.Stop) => Effect.runPromise(Writers.drive(writers, from, stop, opened.operation))
    await drive(0, { _tag: "Count", count: warmups })
    ;(globalThis as { gc?: () => void }).gc?.()
    const timed = await drive(warmups, { _tag: "Deadline", milliseconds: seconds * 1_000 })
    checkLog(side, await opened.streams(), new Map(timed.counts.map((count, writer) => [streamOf(writer), warmups + count])))
    const operations = timed.counts.reduce((sum, count) => sum + count, 0)
    return { connections, operations, rate: Stats.rate(operations, timed.elapsed), latency: Latency.of(timed.durations) }
  } finally {
    await opened.close()
  }
}

type Measured = Awaited<ReturnType<typeof cell>>

const summary = (side: string, writers: number, measured: ReadonlyArray<Measured>): Cell => ({
  side,
  writers,
  connections: measured[0]!.connections,
  rate: Stats.of(measured.map((run) => run.rate)),
  operations: measured.map((run) => run.operations),
  latency: {
    p50: Stats.of(measured.map((run) => run.latency.p50)).median,
    p99: Stats.of(measured.map((run) => run.latency.p99)).median
  }
})

/** Cells of `openers` at each W, run by run, side by side, summarised over the runs. */
const cells = async (
  openers: ReadonlyArray<readonly [string, Opener]>,
  writers: ReadonlyArray<number>,
  on: Bench,
  options: Options
): Promise<ReadonlyArray<Cell>> => {
  const measured = new Map<string, Array<Measured>>()
  for (let run = 1; run <= runs; run++) {
    for (const w of writers) {
      for (const [side, open] of openers) {
        const result = await cell(open, side, w, options.seconds)
        await on.cleanup()
        options.log(`  run ${run}, W=${w}, ${side}: ${Report.perSecond(result.rate)}, p50 ${Report.milliseconds(result.latency.p50)}, p99 ${Report.milliseconds(result.latency.p99)}`)
        const key = `${side}\u0000${w}`
        measured.set(key, [...(measured.get(key) ?? []), result])
      }
    }
  }
  return writers.flatMap((w) => openers.map(([side]) => summary(side, w, measured.get(`${side}\u0000${w}`)!)))
}

/** The log file of the bulk import, as text, exported from a memory store. */
const logFile = async (size: Options["bulk"]) => {
  const perAccount = Math.max(1, Math.round(size.events / size.streams))
  const store = await Stores.memory(Bank.batches({ accounts: size.streams, perAccount, batch: 10 }))
  return { text: JSON.stringify(await Stores.runWith(store, LogFile.exportLog)), perStream: perAccount }
}

const domains = [LogFile.domain({ eventSchema: BankAccount.Event, streamId: BankAccount.streamIdOf })]

const importChronicle = async (on: Bench, text: string) => {
  const { close, store, streams } = await chronicleStore(on, 1)
  try {
    const began = performance.now()
    const events = await Stores.runWith(store, LogFile.importLog(text, domains))
    return { elapsed: performance.now() - began, events, streams }
  } finally {
    await close()
  }
}

const importRaw = async (on: Bench, text: string) => {
  const raw = await rawTable(on, 1)
  const { sql, table } = raw
  try {
    const began = performance.now()
    const { events } = JSON.parse(text) as LogFile.LogFile
    await raw.run(sql.withTransaction(Effect.forEach(
      Array.from({ length: Math.ceil(events.length / bulkChunk) }, (_, i) => events.slice(i * bulkChunk, (i + 1) * bulkChunk)),
      (chunk) =>
        sql`INSERT INTO ${table} (stream_id, version, type, data, metadata)
          SELECT e.stream_id, e.version, e.type, e.data::jsonb, e.metadata::jsonb FROM unnest(
            ${chunk.map((event) => event.streamId)}::text[],
            ${chunk.map((event) => event.version)}::int4[],
            ${chunk.map((event) => event.type)}::text[],
            ${chunk.map((event) => JSON.stringify(event.data))}::text[],
            ${chunk.map((event) => JSON.stringify(event.metadata))}::text[]
          ) AS e(stream_id, version, type, data, metadata)`,
      { discard: true }
    )))
    return { elapsed: performance.now() - began, events: events.length, streams: raw.streams }
  } finally {
    await raw.close()
  }
}

const imports = async (on: Bench, options: Options): Promise<ReadonlyArray<Import>> => {
  const { perStream, text } = await logFile(options.bulk)
  const sides = [["Chronicle LogFile.importLog", importChronicle], ["raw multi-row INSERT", importRaw]] as const
  const rates = new Map<string, Array<number>>()
  for (let run = 1; run <= runs; run++) {
    for (const [side, load] of sides) {
      const { elapsed, events, streams } = await load(on, text)
      const expected = new Map(Array.from({ length: options.bulk.streams }, (_, i) => [streamOf(i), perStream]))
      checkLog(side, await streams(), expected)
      await on.cleanup()
      options.log(`  run ${run}, bulk import, ${side}: ${Report.perSecond(Stats.rate(events, elapsed))}`)
      rates.set(side, [...(rates.get(side) ?? []), Stats.rate(events, elapsed)])
    }
  }
  return sides.map(([side]) => ({ side, rate: Stats.of(rates.get(side)!) }))
}

/** Today's Chronicle figures at W = 16 and 64 (issue 17), times 5: the targets. */
const fiveTimesToday: ReadonlyArray<readonly [number, number]> = [[16, 701 * 5], [64, 378 * 5]]

const cellOf = (list: ReadonlyArray<Cell>, side: string, writers: number) =>
  list.find((c) => c.side === side && c.writers === writers)

const ratiosOf = (list: ReadonlyArray<Cell>): ReadonlyArray<Ratio> =>
  [...new Set(list.map((c) => c.writers))].flatMap((writers) => {
    const chronicle = cellOf(list, "Chronicle", writers)
    const emmett = cellOf(list, "Emmett", writers)
    if (chronicle === undefined || emmett === undefined) return []
    return [{ writers, ratio: Stats.of(chronicle.rate.samples.map((rate, run) => rate / emmett.rate.samples[run]!)) }]
  })

const times = (stats: Stats.Stats) => `${stats.median.toFixed(2)}× [${stats.min.toFixed(2)}–${stats.max.toFixed(2)}]`

const verdictsOf = (
  appends: ReadonlyArray<Cell>,
  appendRatios: ReadonlyArray<Ratio>,
  commandRatios: ReadonlyArray<Ratio>
): ReadonlyArray<Verdict> => {
  const versusEmmett = (what: string) => ({ ratio, writers }: Ratio): Verdict => ({
    target: `${what} at W = ${writers}: Chronicle ≥ 1.0× Emmett`,
    figure: times(ratio),
    met: ratio.median >= 1
  })
  const faster = fiveTimesToday.flatMap(([writers, target]) => {
    const chronicle = cellOf(appends, "Chronicle", writers)
    return chronicle === undefined ? [] : [{
      target: `appends at W = ${writers}: Chronicle ≥ ${target.toLocaleString("en")}/s (5× today's ${(target / 5).toLocaleString("en")})`,
      figure: Report.perSecond(chronicle.rate.median),
      met: chronicle.rate.median >= target
    }]
  })
  const tail = cellOf(appends, "Chronicle", 64)
  return [
    ...appendRatios.map(versusEmmett("appends")),
    ...faster,
    ...(tail === undefined ? [] : [{
      target: "appends at W = 64: Chronicle's p99 < 200 ms",
      figure: Report.milliseconds(tail.latency.p99),
      met: tail.latency.p99 < 200
    }]),
    ...commandRatios.map(versusEmmett("commands"))
  ]
}

const section = async (server: Server, on: Bench, options: Options): Promise<Section> => {
  options.log(`${id} on ${shown(server.url)} (${server.label}): appends`)
  const appends = await cells(
    [
      ["Chronicle", chronicleAppends(on)],
      ["Emmett", emmettAppends(on)],
      ["raw BEGIN/INSERT/COMMIT", rawAppends(on, true)],
      ["raw autocommit INSERT", rawAppends(on, false)]
    ],
    writerCounts,
    on,
    options
  )
  options.log(`${id}: commands at W = ${commandWriters}`)
  const commands = await cells([["Chronicle", chronicleCommands(on)], ["Emmett", emmettCommands(on)]], [commandWriters], on, options)
  options.log(`${id}: bulk import`)
  const imported = await imports(on, options)
  const appendRatios = ratiosOf(appends)
  const commandRatios = ratiosOf(commands)
  return {
    id,
    server: `${shown(server.url)} (${server.label})`,
    seconds: options.seconds,
    appends,
    appendRatios,
    commands,
    commandRatios,
    imports: imported,
    bulk: options.bulk,
    verdicts: verdictsOf(appends, appendRatios, commandRatios)
  }
}

/** What the section does, in the words of a report line. */
const work = "W writers on W streams, one event per append with the exact expected version (PostgreSQL), " +
  "beside Emmett and raw inserts; commands at W = 16; a bulk import"

/** The section on one server, or why it could not run or failed. */
export type Result = Section | Workload.Unavailable | Report.Failed

/**
 * Runs the section on each server, or says why a server is unavailable (no URL, no connection)
 * or why it failed (a log that does not hold what was acknowledged, a failed append).
 *
 * @example
 * ```ts
 * const results = await PostgresScaling.run({ servers: [{ url, label: "fsync off" }], seconds: 3, bulk: PostgresScaling.bulkSize, log })
 * ```
 */
export const run = async (options: Options): Promise<ReadonlyArray<Result>> => {
  const results: Array<Result> = []
  for (const server of options.servers) {
    const line = `${work}, on ${server.label}`
    const on = server.url === "" ? "no URL given (start a server with `export $(test/postgres/server.sh start)`)" : await bench(server.url)
    if (typeof on === "string") {
      results.push({ id, work: line, unavailable: on })
      continue
    }
    try {
      results.push(await section(server, on, options))
    } catch (error) {
      options.log(String(error instanceof Error ? error.stack : error))
      results.push({ id, work: line, failed: error instanceof Error ? error.message : String(error) })
    } finally {
      await on.close()
    }
  }
  return results
}

const range = (stats: Stats.Stats) =>
  `${Report.perSecond(stats.median)} [${Report.perSecond(stats.min)}–${Report.perSecond(stats.max)}]`

const latency = (c: Cell) => `${Report.milliseconds(c.latency.p50)} / ${Report.milliseconds(c.latency.p99)}`

const tables = (s: Section) => {
  const block = (list: ReadonlyArray<Cell>, ratios: ReadonlyArray<Ratio>, unit: string) => {
    const names = [...new Set(list.map((c) => c.side))]
    const writers = [...new Set(list.map((c) => c.writers))]
    return [
      ["W", "pool", ...names.flatMap((side) => [`${side} ${unit}/s`, "p50 / p99"]), "Chronicle ÷ Emmett"],
      ...writers.map((w) => {
        const ratio = ratios.find((r) => r.writers === w)?.ratio
        return [
          `${w}`,
          `${cellOf(list, names[0]!, w)?.connections ?? ""}`,
          ...names.flatMap((side) => {
            const c = cellOf(list, side, w)
            return c === undefined ? ["", ""] : [range(c.rate), latency(c)]
          }),
          ratio === undefined ? "" : times(ratio)
        ]
      })
    ]
  }
  return { appends: block(s.appends, s.appendRatios, "events"), commands: block(s.commands, s.commandRatios, "commands") }
}

const notes = (s: Section) => [
  `${s.id} on ${s.server}: ${Number(s.seconds.toFixed(2))} s per cell, median of ${runs} runs [min–max]; Chronicle ÷ Emmett: per run (back to back), median [min–max]; p50 / p99: each append's (or command's) latency, median over the runs; ` +
  `pool: connections per side for the writers (Chronicle +1 for its listener); ${warmups} untimed warm-up operations per writer; every log verified after each cell`,
  ...s.imports.map((i) =>
    `bulk import of ${s.bulk.events.toLocaleString("en")} events over ${s.bulk.streams} streams, ${i.side}: ${range(i.rate)} events`),
  ...(s.imports.length === 2
    ? [`bulk import: Chronicle ÷ raw ${times(Stats.of(s.imports[0]!.rate.samples.map((rate, run) => rate / s.imports[1]!.rate.samples[run]!)))} (per run)`]
    : []),
  ...s.verdicts.map((v) => `target: ${v.target}: ${v.figure} — ${v.met ? "met" : "MISSED"}`)
]

const aligned = (rows: ReadonlyArray<ReadonlyArray<string>>) => {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd())
}

const markdownTable = (rows: ReadonlyArray<ReadonlyArray<string>>) => {
  const line = (row: ReadonlyArray<string>) => `| ${row.join(" | ")} |`
  return [line(rows[0]!), line(rows[0]!.map(() => "---")), ...rows.slice(1).map(line)]
}

const isSection = (result: Result): result is Section => "appends" in result

const otherLine = (result: Workload.Unavailable | Report.Failed) =>
  `${result.id}: ${result.work}: ${"unavailable" in result ? `not available — ${result.unavailable}` : `FAILED: ${result.failed}`}`

/**
 * The sections as plain text: per server, the append table, the command table, then the bulk
 * import and the targets with their verdicts.
 *
 * @example
 * ```ts
 * console.log(PostgresScaling.text(await PostgresScaling.run(options)))
 * ```
 */
export const text = (results: ReadonlyArray<Result>): string =>
  results.map((s) =>
    !isSection(s) ? otherLine(s) : [
      notes(s)[0]!,
      ...aligned(tables(s).appends),
      "",
      ...aligned(tables(s).commands),
      "",
      ...notes(s).slice(1)
    ].join("\n")
  ).join("\n\n")

/**
 * The sections as Markdown, for `bench-results/latest.md` and the README.
 *
 * @example
 * ```ts
 * writeFileSync("latest.md", PostgresScaling.markdown(results))
 * ```
 */
export const markdown = (results: ReadonlyArray<Result>): string =>
  results.map((s) =>
    !isSection(s) ? otherLine(s) : [
      notes(s)[0]!,
      "",
      ...markdownTable(tables(s).appends),
      "",
      ...markdownTable(tables(s).commands),
      "",
      ...notes(s).slice(1).map((note) => `- ${note}`)
    ].join("\n")
  ).join("\n\n")
