/**
 * PostgreSQL in-process for the tests: PGlite (PostgreSQL compiled to WebAssembly,
 * `@electric-sql/pglite`) behind the `PgClient` service of `@effect/sql-pg`, so the PostgreSQL
 * layers run unchanged, with no server, in every `npm test`.
 *
 * PGlite is one database with one session. All the clients of a test file ({@link layer}) share
 * it: what one writes, the others read, as instances of a service share a database. A lock stands
 * for the session: a statement takes it for its own length, a transaction for the whole
 * transaction, so no statement slips into another client's transaction; a second transaction
 * waits for the first to end, as it would for the head's row lock on a server. `LISTEN` is the
 * session's: every listener of a channel hears each `NOTIFY` on it once it commits.
 *
 * Creating a PGlite database runs `initdb`, which takes 15–20 s on a busy two-core machine:
 * {@link setup} (vitest's global setup) does it once and keeps the data directory in
 * `node_modules/.cache`, and each test file starts its database from that copy in about 2 s.
 */
import { PGlite } from "@electric-sql/pglite"
import type { Results } from "@electric-sql/pglite"
import { PgClient } from "@effect/sql-pg"
import type { PgConnection } from "@effect/sql-pg"
import { Effect, Layer, Queue, Semaphore, Stream } from "effect"
import type { Scope } from "effect"
import type * as Reactivity from "effect/reactivity/Reactivity"
import { SqlClient, SqlError } from "effect/sql"
import type { SqlConnection } from "effect/sql"
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

const root = new URL("../../", import.meta.url)
const { version } = JSON.parse(
  readFileSync(new URL("node_modules/@electric-sql/pglite/package.json", root), "utf8")
) as { readonly version: string }

// Where the freshly initialised data directory is kept, per PGlite version.
const dataDirectory = fileURLToPath(new URL(`node_modules/.cache/chronicle/pglite-${version}.tar`, root))

/** Vitest's global setup: initialises a PGlite data directory once, unless one is kept already. */
export const setup = async (): Promise<void> => {
  if (existsSync(dataDirectory)) return
  const db = await PGlite.create()
  const dump = await db.dumpDataDir("none")
  await db.close()
  mkdirSync(fileURLToPath(new URL("node_modules/.cache/chronicle/", root)), { recursive: true })
  const partial = `${dataDirectory}.${process.pid}`
  writeFileSync(partial, new Uint8Array(await dump.arrayBuffer()))
  renameSync(partial, dataDirectory)
}

/** The database of this test file and the lock that stands for its one session. */
interface Session {
  readonly db: PGlite
  readonly lock: Semaphore.Semaphore
}

let session: Promise<Session> | undefined

// Started on first use, from the data directory of `setup` when there is one; closed with the process.
const sessionOf = (): Promise<Session> =>
  session ??= (async () => {
    const db = existsSync(dataDirectory)
      ? await PGlite.create({ loadDataDir: new Blob([readFileSync(dataDirectory)]) })
      : await PGlite.create()
    return { db, lock: Semaphore.makeUnsafe(1) }
  })()

const field = (cause: unknown, name: string): string | undefined => {
  const value = typeof cause === "object" && cause !== null ? (cause as Record<string, unknown>)[name] : undefined
  return typeof value === "string" ? value : undefined
}

// What the server's SQLSTATE means, as `@effect/sql-pg` classifies it.
const reasonOf = (cause: unknown, operation: string): SqlError.SqlErrorReason => {
  const message = field(cause, "message") ?? String(cause)
  const props = { cause, message, operation }
  const code = field(cause, "code") ?? ""
  if (code.startsWith("08")) return new SqlError.ConnectionError(props)
  if (code.startsWith("28")) return new SqlError.AuthenticationError(props)
  if (code === "42501") return new SqlError.AuthorizationError(props)
  if (code.startsWith("42")) return new SqlError.SqlSyntaxError(props)
  if (code === "23505") return new SqlError.UniqueViolation({ ...props, constraint: field(cause, "constraint") ?? "unknown" })
  if (code.startsWith("23")) return new SqlError.ConstraintError(props)
  if (code === "40P01") return new SqlError.DeadlockError(props)
  if (code === "40001") return new SqlError.SerializationError(props)
  if (code === "55P03") return new SqlError.LockTimeoutError(props)
  if (code === "57014") return new SqlError.StatementTimeoutError(props)
  return new SqlError.UnknownError(props)
}

const query = <A>(db: PGlite, sql: string, params: ReadonlyArray<unknown>, rowMode?: "array") =>
  Effect.tryPromise({
    try: (): Promise<Results<A>> => db.query<A>(sql, [...params], rowMode === undefined ? {} : { rowMode }),
    catch: (cause) => new SqlError.SqlError({ reason: reasonOf(cause, "query") })
  })

const connectionOf = (db: PGlite): SqlConnection.Connection => {
  const rows = (
    sql: string,
    params: ReadonlyArray<unknown>,
    transformRows: (<A extends object>(rows: ReadonlyArray<A>) => ReadonlyArray<A>) | undefined
  ) => Effect.map(query<object>(db, sql, params), (result) => transformRows ? transformRows(result.rows) : result.rows)
  const values = (sql: string, params: ReadonlyArray<unknown>) =>
    Effect.map(query<ReadonlyArray<unknown>>(db, sql, params, "array"), (result) => result.rows)
  return {
    execute: rows,
    executeUnprepared: rows,
    executeRaw: (sql, params) => query(db, sql, params),
    executeValues: values,
    executeValuesUnprepared: values,
    executeStream: (sql, params, transformRows) => Stream.fromIterableEffect(rows(sql, params, transformRows))
  }
}

const quoted = (identifier: string) => `"${identifier.replaceAll("\"", "\"\"")}"`

// A `PgClient` on the file's PGlite database, for the current scope.
const make: Effect.Effect<PgClient.PgClient, never, Scope.Scope | Reactivity.Reactivity> = Effect.gen(function*() {
  const { db, lock } = yield* Effect.promise(sessionOf)
  const connection = connectionOf(db)
  // The session, for one statement or one transaction.
  const lease = Effect.as(Effect.acquireRelease(lock.take(1), () => lock.release(1)), connection)
  const exclusive = <A, E, R>(effect: Effect.Effect<A, E, R>) => lock.withPermit(effect)
  const client = yield* SqlClient.make({
    acquirer: lease,
    compiler: PgClient.makeCompiler(),
    driver: "pglite",
    spanAttributes: [["db.system.name", "postgresql"]],
    releaseSavepoint: (name) => `RELEASE SAVEPOINT ${name}`
  })
  const listen = (channel: string) =>
    Effect.gen(function*() {
      const notifications = yield* Queue.unbounded<PgConnection.Notification, SqlError.SqlError>()
      const stop = db.onNotification((heard, payload) => {
        if (heard === channel) Queue.offerUnsafe(notifications, { processId: 0, channel, payload })
      })
      yield* Effect.addFinalizer(() => Effect.andThen(Effect.sync(stop), Queue.shutdown(notifications)))
      // The session keeps listening after the scope: other clients may still listen on the channel.
      yield* exclusive(query(db, `LISTEN ${quoted(channel)}`, []))
      return notifications
    })
  return Object.assign(client, {
    [PgClient.TypeId]: PgClient.TypeId,
    config: {},
    json: (value: unknown) => client`${JSON.stringify(value)}::jsonb`,
    listen,
    notify: (channel: string, payload: string) =>
      Effect.asVoid(exclusive(query(db, "SELECT pg_notify($1, $2)", [channel, payload])))
  })
})

/** A client layer on the file's PGlite database: `PgClient` and `SqlClient`, like `PgClient.layer`. */
export const layer: Layer.Layer<PgClient.PgClient | SqlClient.SqlClient> = PgClient.layerFrom(make)
