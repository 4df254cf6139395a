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
 * Events and commands take Emmett's `{ type, data }` shape, and commands run through the same
 * Emmett decider and `DeciderCommandHandler`, as the in-memory peer's (`peers/Emmett.ts`).
 */
import { getPostgreSQLEventStore } from "@event-driven-io/emmett-postgresql"
import { BankAccount } from "@chronicle/examples"
import pg from "pg"
import * as Emmett from "./Emmett.ts"

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
      const appended = await eventStore.appendToStream<Emmett.AccountEvent>(streamId, [Emmett.event(event)], {
        expectedStreamVersion: BigInt(expected)
      })
      return Number(appended.nextExpectedStreamVersion)
    },
    handle: async (command) => {
      const handled = await Emmett.handle(eventStore, BankAccount.streamIdOf(command), Emmett.command(command))
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
