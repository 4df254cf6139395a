/**
 * **EmmettPostgres**: the peer of the PostgreSQL scaling benchmark — Emmett 0.42's PostgreSQL event
 * store (`@event-driven-io/emmett-postgresql`), used as its documentation shows:
 * `getPostgreSQLEventStore(connectionString, { connectionOptions: { pool } })`, `appendToStream`
 * with an exact `expectedStreamVersion`, and `DeciderCommandHandler` over the same bank-account
 * `decide`/`evolve` as Chronicle's side.
 *
 * Emmett creates its own tables (`emt_streams`, `emt_messages`, …) in the `public` schema of the
 * database it is given, so it runs in a database of its own (created and dropped by the workload).
 * Its pool is a `pg.Pool` of the size the workload gives every side, so that no side has more
 * connections than another.
 *
 * Emmett's events are `{ type, data }`; the bank account's are tagged records. `toEmmett` and
 * `fromEmmett` translate, so that the decider is the very same function on both sides.
 */
import { DeciderCommandHandler } from "@event-driven-io/emmett"
import { getPostgreSQLEventStore } from "@event-driven-io/emmett-postgresql"
import { BankAccount } from "@chronicle/examples"
import { Result } from "effect"
import pg from "pg"

/** A bank-account event in Emmett's shape. */
interface EmmettEvent {
  readonly type: BankAccount.Event["_tag"]
  readonly data: Record<string, unknown>
}

/** A bank-account command in Emmett's shape. */
interface EmmettCommand {
  readonly type: BankAccount.Command["_tag"]
  readonly data: Record<string, unknown>
}

// A bank-account event (or command) as Emmett holds it: the tag as `type`, the fields as `data`.
const toEmmett = <Tagged extends { readonly _tag: string }>({ _tag, ...data }: Tagged) => ({ type: _tag, data })

const fromEmmett = <Tagged>({ data, type }: { readonly type: string; readonly data: Record<string, unknown> }) =>
  ({ _tag: type, ...data }) as Tagged

/** The bank account's decider, as Emmett's `Decider` (a rejection throws, as Emmett's deciders do). */
const decider = {
  initialState: (): BankAccount.State => BankAccount.decider.initialState,
  evolve: (state: BankAccount.State, event: EmmettEvent): BankAccount.State =>
    BankAccount.decider.evolve(state, fromEmmett<BankAccount.Event>(event)),
  decide: (command: EmmettCommand, state: BankAccount.State): Array<EmmettEvent> => {
    const decided = BankAccount.decider.decide(fromEmmett<BankAccount.Command>(command), state)
    if (Result.isFailure(decided)) throw new Error(`command rejected: ${JSON.stringify(decided.failure)}`)
    return decided.success.map((event) => toEmmett(event) as EmmettEvent)
  }
}

const handler = DeciderCommandHandler(decider)

/** One stream of Emmett's log: how many events it holds and its first and last stream positions. */
export interface StreamCount {
  readonly streamId: string
  readonly events: number
  readonly first: number
  readonly last: number
}

/** Emmett's store on one database, with what the workload does with it. */
export interface Store {
  /** Appends one event at the exact version `expected` (the stream's event count); the new version. */
  readonly append: (streamId: string, event: BankAccount.Event, expected: number) => Promise<number>
  /** Handles one command with Emmett's `DeciderCommandHandler`; the stream's new version. */
  readonly handle: (command: BankAccount.Command) => Promise<number>
  /** Every stream of the log, counted by SQL on Emmett's `emt_messages` table. */
  readonly streams: () => Promise<ReadonlyArray<StreamCount>>
  /** Empties Emmett's tables, so that the next run starts from an empty log. */
  readonly clear: () => Promise<void>
  /** Closes the store and its pool. */
  readonly close: () => Promise<void>
}

/**
 * Emmett's PostgreSQL store on the database at `url`, with a pool of `connections`; its schema is
 * created (untimed) before this resolves.
 *
 * @example
 * ```ts
 * const store = await EmmettPostgres.open("postgres://postgres@127.0.0.1:55442/emmett", 16)
 * await store.append("account-1", { _tag: "AccountOpened", accountId: "1", owner: "Ada" }, 0)
 * ```
 */
export const open = async (url: string, connections: number): Promise<Store> => {
  const pool = new pg.Pool({ connectionString: url, max: connections })
  // An idle connection that the server ends (its database dropped after the runs) is discarded by
  // the pool; a query on it fails on its own. Without a listener, `pg` would crash the process.
  pool.on("error", () => {})
  const eventStore = getPostgreSQLEventStore(url, { connectionOptions: { pool } })
  await eventStore.schema.migrate()
  return {
    append: async (streamId, event, expected) => {
      const appended = await eventStore.appendToStream<EmmettEvent>(streamId, [toEmmett(event) as EmmettEvent], {
        expectedStreamVersion: BigInt(expected)
      })
      return Number(appended.nextExpectedStreamVersion)
    },
    handle: async (command) => {
      const handled = await handler(eventStore, BankAccount.streamIdOf(command), toEmmett(command) as EmmettCommand)
      return Number(handled.nextExpectedStreamVersion)
    },
    streams: async () => {
      const { rows } = await pool.query<{ stream_id: string; events: number; first: string; last: string }>(
        `SELECT stream_id, count(*)::int AS events, min(stream_position) AS first, max(stream_position) AS last
         FROM emt_messages GROUP BY stream_id`
      )
      return rows.map((row) => ({ streamId: row.stream_id, events: row.events, first: Number(row.first), last: Number(row.last) }))
    },
    clear: async () => {
      await pool.query("TRUNCATE emt_messages, emt_streams")
    },
    close: async () => {
      await eventStore.close()
      await pool.end()
    }
  }
}
