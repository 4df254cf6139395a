/**
 * **W1-pg, W2-pg, W4-pg — W1, W2 and W4 on PostgreSQL**: Chronicle's `PostgresEventStore` against
 * a raw baseline that sends the same SQL statements itself, through the same `@effect/sql-pg`
 * client (one pool per workload, shared by both sides) — the cost of the store around the database.
 *
 * - Chronicle: the same programs as the memory workloads (`CommandHandler.handle`, `load`,
 *   `EventStore.append`) on a `PostgresEventStore`.
 * - Baseline: hand-written statements in the layout the store used before its one-statement
 *   append (kept as the reference it was measured against). An append is one READ COMMITTED
 *   transaction: `UPDATE head … RETURNING position` (the head lock), the stream's last version, the
 *   version check (a mismatch rolls back), one `INSERT … FROM unnest(…)` with its `pg_notify`. A
 *   read is keyset pages of 1,024 by version, until a short page; the fold is a `for` loop over the
 *   rows with the same `evolve`, without Schema decoding.
 *
 * Each repetition of W1-pg and W4-pg, on each side, gets a fresh schema (migrated while preparing,
 * untimed, dropped before the next repetition is prepared and after the workload). W2-pg reads one
 * schema filled once. The database is `DATABASE_URL`; when it is not set or cannot be reached the
 * workloads are reported unavailable with the reason.
 *
 * Sizes are far below the memory workloads' (an append is a round trip), so that the PostgreSQL part of the benchmark takes a minute or two; each line says so.
 */
import { BankAccount } from "@chronicle/examples"
import { EventStore } from "@chronicle/runtime"
import { Postgres, PostgresEventStore } from "@chronicle/store-postgres"
import { PgClient } from "@effect/sql-pg"
import { Context, Effect, Exit, Layer, Redacted, Result, Scope } from "effect"
import { SqlClient, SqlError } from "effect/sql"
import { randomBytes } from "node:crypto"
import * as Bank from "../fixtures/Bank.ts"
import * as Stores from "../fixtures/Stores.ts"
import * as Outcome from "../harness/Outcome.ts"
import * as AppendRate from "./AppendRate.ts"
import * as CommandHandling from "./CommandHandling.ts"
import type * as Workload from "../harness/Workload.ts"

/**
 * The sizes of the PostgreSQL workloads: scaled down from the (see the module header).
 */
export const size = { commands: 2_000, accounts: 20, stream: 20_000, appends: 3_000 } as const

const pageSize = 1_024
const readCommitted = "BEGIN ISOLATION LEVEL READ COMMITTED"

type Client = PgClient.PgClient | SqlClient.SqlClient

/** A connection pool on the benchmark's database, and what to close and drop after the runs. */
interface Database {
  readonly run: <A, E>(effect: Effect.Effect<A, E, Client>) => Promise<A>
  readonly sql: SqlClient.SqlClient
  /**
   * A fresh, migrated schema. Dropped by the next {@link Database.release}, or only by
   * {@link Database.close} when `lasting`.
   */
  readonly schema: (lasting?: boolean) => Promise<string>
  /** A `PostgresEventStore` on `schema`, closed (before its schema is dropped) like the schema. */
  readonly store: (schema: string, lasting?: boolean) => Promise<EventStore.Service>
  /** Closes the stores and drops the schemas of the previous repetitions. */
  readonly release: () => Promise<void>
  /** Releases everything, then closes the pool. */
  readonly close: () => Promise<void>
}

const shown = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@")

const causeOf = (error: unknown) =>
  SqlError.isSqlError(error) && error.reason.cause instanceof Error
    ? error.reason.cause.message
    : error instanceof Error
    ? error.message
    : String(error)

// Runs cleanups last in, first out: a store is closed before its schema is dropped.
const drain = async (cleanups: Array<() => Promise<void>>) => {
  for (let cleanup = cleanups.pop(); cleanup !== undefined; cleanup = cleanups.pop()) await cleanup()
}

/** Opens a pool on `DATABASE_URL`, or says why it cannot. */
const open = async (): Promise<Database | string> => {
  const url = process.env["DATABASE_URL"]
  if (url === undefined || url === "") {
    return "DATABASE_URL is not set (start a server with `export $(test/postgres/server.sh start)`)"
  }
  const scope = Scope.makeUnsafe()
  const layer = PgClient.layer({ url: Redacted.make(url), connectTimeout: "3 seconds" })
  const built = await Effect.runPromiseExit(
    Layer.buildWithScope(layer, scope).pipe(
      Effect.tap((context) => Effect.provideContext(SqlClient.SqlClient.use((sql) => sql`SELECT 1`), context)),
      Effect.timeout("5 seconds")
    )
  )
  if (Exit.isFailure(built)) {
    await Effect.runPromise(Scope.close(scope, Exit.void))
    const error = Exit.findErrorOption(built)
    const reason = error._tag === "Some" ? causeOf(error.value) : "the connection failed"
    return `no database at ${shown(url)} (${reason})`
  }
  const context = built.value
  const run = <A, E>(effect: Effect.Effect<A, E, Client>) => Effect.runPromise(Effect.provideContext(effect, context))
  const sql = Context.get(context, SqlClient.SqlClient).withoutTransforms()
  const transient: Array<() => Promise<void>> = []
  const lasting: Array<() => Promise<void>> = []
  const release = () => drain(transient)
  return {
    run,
    sql,
    schema: async (keep = false) => {
      const schema = `bench_${randomBytes(6).toString("hex")}`
      ;(keep ? lasting : transient).push(() => run(Effect.ignore(sql`DROP SCHEMA IF EXISTS ${sql(schema)} CASCADE`)))
      await run(Postgres.migrate({ schema }))
      return schema
    },
    store: async (schema, keep = false) => {
      const storeScope = Scope.makeUnsafe()
      ;(keep ? lasting : transient).push(() => Effect.runPromise(Scope.close(storeScope, Exit.void)))
      return run(PostgresEventStore.make({ schema }).pipe(Effect.provideService(Scope.Scope, storeScope)))
    },
    release,
    close: async () => {
      await release()
      await drain(lasting)
      await Effect.runPromise(Scope.close(scope, Exit.void))
    }
  }
}

/** The raw baseline: the store's statements, by hand, on one schema. */
const raw = (sql: SqlClient.SqlClient, schema: string) => {
  const events = sql`${sql(schema)}.events`
  const head = sql`${sql(schema)}.head`
  const channel = `chronicle/${schema}`
  interface Row {
    readonly version: number
    readonly data: BankAccount.Event
  }
  const readPage = (streamId: string, from: number) =>
    sql<Row>`SELECT position, stream_id, version, type, data, metadata FROM ${events}
      WHERE stream_id = ${streamId} AND version BETWEEN ${from} AND ${2_147_483_647} ORDER BY version LIMIT ${pageSize}`
  return {
    /** Every row of a stream, page by page until a short page. */
    read: (streamId: string) =>
      Effect.gen(function*() {
        const rows: Array<Row> = []
        let from = 1
        for (;;) {
          const page = yield* readPage(streamId, from)
          for (const row of page) rows.push(row)
          if (page.length < pageSize) return rows
          from = page.at(-1)!.version + 1
        }
      }),
    /** Appends `appended` at version `expected`; fails with "Conflict" (rolled back) on a mismatch. */
    append: (streamId: string, appended: ReadonlyArray<BankAccount.Event>, expected: number) =>
      sql.withTransaction(Effect.gen(function*() {
        const allocated = yield* sql<{ readonly position: bigint }>`UPDATE ${head}
          SET position = position + ${appended.length} RETURNING position`
        const last = Number(allocated[0]!.position)
        const tail = yield* sql<{ readonly version: number; readonly type: string }>`SELECT version, type FROM ${events}
          WHERE stream_id = ${streamId} ORDER BY version DESC LIMIT 1`
        const actual = tail[0]?.version ?? 0
        if (actual !== expected) return yield* Effect.fail("Conflict" as const)
        const recordedAt = Date.now()
        const first = last - appended.length + 1
        yield* sql`WITH appended AS (
          INSERT INTO ${events} (position, stream_id, version, type, data, metadata)
          SELECT ${BigInt(first - 1)}::int8 + e.n, ${streamId}, ${actual}::int4 + e.n,
            e.type, e.data::jsonb, e.metadata::jsonb
          FROM unnest(
            ${appended.map((event) => event._tag)}::text[],
            ${appended.map((event) => JSON.stringify(event))}::text[],
            ${appended.map(() => JSON.stringify({ eventId: crypto.randomUUID(), recordedAt }))}::text[]
          ) WITH ORDINALITY AS e(type, data, metadata, n)
        )
        SELECT pg_notify(${channel}, ${String(last)})`
        return actual + appended.length
      })).pipe(Effect.provideService(SqlClient.BeginTransaction, readCommitted)),
    lastPosition: Effect.map(
      sql<{ readonly position: bigint }>`SELECT coalesce(max(position), 0)::int8 AS position FROM ${events}`,
      (rows) => Number(rows[0]?.position ?? 0n)
    )
  }
}

const foldRows = (rows: ReadonlyArray<{ readonly data: BankAccount.Event }>): BankAccount.State => {
  let state = BankAccount.decider.initialState
  for (let i = 0; i < rows.length; i++) state = BankAccount.decider.evolve(state, rows[i]!.data)
  return state
}

const unavailable = (id: string, work: string, reason: string): Workload.Unavailable => ({ id, work, unavailable: reason })

/** Builds a workload on an open database, or reports it unavailable. */
const onDatabase = async (
  id: string,
  work: string,
  build: (database: Database) => Omit<Workload.Workload, "id" | "work" | "dispose">
): Promise<Workload.Workload | Workload.Unavailable> => {
  const database = await open()
  if (typeof database === "string") return unavailable(id, work, database)
  const { baseline, chronicle, ...rest } = build(database)
  // Each prepare first drops what the previous repetition left.
  const releasing = (contender: Workload.Contender): Workload.Contender => ({
    prepare: async () => {
      await database.release()
      return contender.prepare()
    }
  })
  return {
    id,
    work,
    ...rest,
    chronicle: releasing(chronicle),
    baseline: releasing(baseline),
    dispose: database.close
  }
}

/**
 * W1-pg: `commands` commands round-robin over `accounts` accounts, each loaded, decided and
 * appended with the loaded version as expected.
 */
export const commandHandling = (
  { accounts, commands: count }: { readonly commands: number; readonly accounts: number } = size
): Promise<Workload.Workload | Workload.Unavailable> => {
  const id = "W1-pg"
  const work = `handle ${count.toLocaleString("en")} commands round-robin over ${accounts} accounts (PostgreSQL; ` +
    `scaled down from W1's 20,000 over 100; streams grow to 100 events)`
  return onDatabase(id, work, (database) => {
    const commands = Bank.commands(count, accounts)
    return {
      items: count,
      unit: "commands",
      chronicle: {
        prepare: async () => {
          const store = await database.store(await database.schema())
          return () => Stores.runWith(store, CommandHandling.handleAll(commands))
        }
      },
      baseline: {
        prepare: async () => {
          const store = raw(database.sql, await database.schema())
          return () =>
            database.run(Effect.gen(function*() {
              const tracked = CommandHandling.track()
              for (const command of commands) {
                const streamId = BankAccount.streamIdOf(command)
                const rows = yield* store.read(streamId)
                let state = foldRows(rows)
                const decided = BankAccount.decider.decide(command, state)
                if (Result.isFailure(decided)) return yield* Effect.fail(decided.failure)
                const version = yield* store.append(streamId, decided.success, rows.length)
                for (const event of decided.success) state = BankAccount.decider.evolve(state, event)
                tracked.handled(command, state, version, decided.success.length)
              }
              return tracked.outcome()
            }))
        }
      }
    }
  })
}

/**
 * W2-pg: one stream of `events` events read in pages and folded. Both sides read the same schema,
 * filled once through Chronicle's store (1,000 events per append).
 */
export const streamFold = (events: number = size.stream): Promise<Workload.Workload | Workload.Unavailable> => {
  const id = "W2-pg"
  const work = `read one stream of ${events.toLocaleString("en")} events and fold it (PostgreSQL; scaled down from W2's 200,000)`
  const accountId = "0"
  const streamId = BankAccount.streamId(accountId)
  const outcome = (state: BankAccount.State, version: number) =>
    Outcome.fromBalances(version, new Map([[accountId, Bank.balanceOf(state)]]), new Map([[streamId, version]]))
  return onDatabase(id, work, (database) => {
    // Filled once and read by every repetition: kept until the workload ends.
    let filled: Promise<{ readonly store: EventStore.Service; readonly schema: string }> | undefined
    const fill = () =>
      filled ??= (async () => {
        const schema = await database.schema(true)
        const store = await database.store(schema, true)
        await Stores.runWith(store, Stores.fill(Bank.batches({ accounts: 1, perAccount: events, batch: 1_000 }))(store))
        return { store, schema }
      })()
    return {
      items: events,
      unit: "events",
      chronicle: {
        prepare: async () => {
          const { store } = await fill()
          return async () => {
            const { state, version } = await Stores.runWith(store, Bank.handler.load(streamId))
            return outcome(state, version)
          }
        }
      },
      baseline: {
        prepare: async () => {
          const { schema } = await fill()
          const store = raw(database.sql, schema)
          return () =>
            database.run(Effect.map(store.read(streamId), (rows) => outcome(foldRows(rows), rows.length)))
        }
      }
    }
  })
}

/**
 * W4-pg: `count` events appended to one stream, one per call, each with the exact expected
 * version; the first and last 10% timed apart.
 */
export const appendRate = (count: number = size.appends): Promise<Workload.Workload | Workload.Unavailable> => {
  const id = "W4-pg"
  const work = `append ${count.toLocaleString("en")} events one per call to one stream, expected version (PostgreSQL; ` +
    `scaled down from W4's 100,000)`
  const streamId = BankAccount.streamId("0")
  const outcome = (events: number, version: number) =>
    Outcome.fromBalances(events, new Map(), new Map([[streamId, version]]))
  return onDatabase(id, work, (database) => {
    const events = Bank.events(Bank.commands(count, 1))
    const pending = Bank.pending(streamId, events)
    return {
      items: count,
      unit: "events",
      laps: [{ name: AppendRate.first, items: count / 10 }, { name: AppendRate.last, items: count / 10 }],
      chronicle: {
        prepare: async () => {
          const store = await database.store(await database.schema())
          return (laps) =>
            Stores.runWith(
              store,
              Effect.map(AppendRate.appendOneByOne(store, streamId, pending, laps), ({ events, version }) =>
                outcome(events, version))
            )
        }
      },
      baseline: {
        prepare: async () => {
          const store = raw(database.sql, await database.schema())
          return (laps) =>
            database.run(Effect.gen(function*() {
              const lap = AppendRate.tenths(count, laps)
              let version = 0
              for (let i = 0; i < count; i++) {
                lap.before(i)
                version = yield* store.append(streamId, [events[i]!], i)
                lap.after(i)
              }
              return outcome(yield* store.lastPosition, version)
            }))
        }
      }
    }
  })
}
