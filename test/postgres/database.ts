/**
 * Where the PostgreSQL tests run, and what they share.
 *
 * The backend is chosen by one explicit setting, never by probing a port: without `DATABASE_URL`
 * (a plain `npm test`) the suites run on PGlite, PostgreSQL in-process (`./pglite.ts`); with
 * `DATABASE_URL` (`npm run test:postgres`, which `.ci/run` runs against a throwaway local server)
 * they run on that server, and so do the suites that need one ({@link requireServer}).
 *
 * Each store under test lives in a schema of its own (`test_<random>`), so tests and test files
 * never see each other's events: {@link scratchSchema} drops it when the test's scope closes, and
 * {@link useDatabase} recycles emptied schemas for the many short-lived stores of the contract and
 * the laws, and drops them after the file.
 */
import { EventStore } from "@chronicle/runtime"
import { PostgresEventStore } from "@chronicle/store-postgres"
import { PgClient } from "@effect/sql-pg"
import { afterAll, beforeAll, describe } from "@effect/vitest"
import { Context, Effect, Exit, Layer, Redacted, Scope } from "effect"
import { SqlClient, SqlError } from "effect/sql"
import { randomBytes } from "node:crypto"
import * as Pglite from "./pglite.ts"

/** The PostgreSQL server the tests use, if `DATABASE_URL` names one; otherwise they use PGlite. */
export const url: string | undefined = process.env["DATABASE_URL"] || undefined

/** Where the tests run, in words (the password hidden). */
export const backend: string = url === undefined
  ? "PGlite, in-process"
  : `the server at ${url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@")}`

/**
 * A client layer on the test database: the server at `address` (default `DATABASE_URL`) with the
 * pool and session settings `config`, or without a server the file's PGlite database — which has
 * one session and no settings, so `config` is refused there: such a test belongs in `server/`.
 */
export const clientLayer = (
  address: string | undefined = url,
  config: Omit<PgClient.PgPoolConfig, "url"> = {}
): Layer.Layer<PgClient.PgClient | SqlClient.SqlClient, SqlError.SqlError> => {
  if (address !== undefined) return PgClient.layer({ ...config, url: Redacted.make(address) })
  if (Object.keys(config).length > 0) {
    throw new Error(`PGlite has no pool or session settings (${Object.keys(config).join(", ")}): run this test on a server`)
  }
  return Pglite.layer
}

/** `describe`, naming where the tests run. */
export const describePostgres = (name: string, body: () => void): void => {
  describe(`${name} (${backend})`, body)
}

/**
 * The server of a suite that only a real server can run (several processes, restarts, sessions
 * of their own): `npm run test:postgres` runs these files, with `DATABASE_URL` set; `npm test`
 * does not include them. Without `DATABASE_URL` the file fails, saying so.
 */
export const requireServer = (): string => {
  if (url !== undefined) return url
  throw new Error(
    "this suite needs a PostgreSQL server: start one with `test/postgres/server.sh start`, " +
      "export the DATABASE_URL it prints and run `npm run test:postgres`"
  )
}

/** A fresh schema name, unique across test files and runs. */
export const freshSchema = (): string => `test_${randomBytes(6).toString("hex")}`

/**
 * A fresh schema name for the current scope: the schema is dropped when the scope closes, after
 * whatever was built on it later in the same scope.
 */
export const scratchSchema: Effect.Effect<string, never, Scope.Scope | SqlClient.SqlClient> = Effect.acquireRelease(
  Effect.sync(freshSchema),
  (schema) => SqlClient.SqlClient.use((sql) => sql`DROP SCHEMA IF EXISTS ${sql(schema)} CASCADE`).pipe(Effect.ignore)
)

/**
 * One instance of a service: a client of its own (a pool on a server, a client of the file's one
 * session on PGlite) and the event store on `schema` through it.
 */
export interface Instance {
  readonly store: EventStore.Service
  readonly sql: PgClient.PgClient
}

/**
 * Starts an {@link Instance} on `schema` for the current scope; `config` tunes its pool and
 * sessions, `options` its store.
 */
export const instance = (
  schema: string,
  config: Omit<PgClient.PgPoolConfig, "url"> = {},
  options: Omit<PostgresEventStore.Options, "schema"> = {}
): Effect.Effect<Instance, EventStore.StoreError | SqlError.SqlError, Scope.Scope> =>
  Effect.map(
    Layer.build(PostgresEventStore.layer({ ...options, schema }).pipe(Layer.provideMerge(clientLayer(url, config)))),
    (context) => ({ store: Context.get(context, EventStore.EventStore), sql: Context.get(context, PgClient.PgClient) })
  )

/** What a test file gets from {@link useDatabase}. */
export interface Database {
  /** One client shared by the file's tests, open from before the first to after the last. */
  readonly client: Layer.Layer<PgClient.PgClient | SqlClient.SqlClient>
  /**
   * Builds `make(schema)` on a schema of its own, as empty as a new one. Schemas are recycled: a
   * released store's schema is emptied (rows deleted, head back to 0) and handed to the next build,
   * which saves migrating a new one each time. All are dropped after the file's tests.
   */
  readonly inEmptySchema: <A, E>(
    make: (schema: string) => Layer.Layer<A, E, PgClient.PgClient | SqlClient.SqlClient>
  ) => Layer.Layer<A, E>
}

/** Opens the file's client before its tests, and drops its schemas and closes the client after them. */
export const useDatabase = (): Database => {
  const scope = Scope.makeUnsafe()
  let context: Context.Context<PgClient.PgClient | SqlClient.SqlClient> | undefined
  const created: Array<string> = []
  const free: Array<string> = []
  const run = <A, E>(effect: Effect.Effect<A, E, SqlClient.SqlClient>) =>
    Effect.runPromise(Effect.provideContext(effect, context!))
  beforeAll(async () => {
    context = await Effect.runPromise(Layer.buildWithScope(clientLayer(), scope))
  })
  afterAll(async () => {
    if (context !== undefined) {
      await run(SqlClient.SqlClient.use((sql) =>
        Effect.forEach(created, (schema) => sql`DROP SCHEMA IF EXISTS ${sql(schema)} CASCADE`, { discard: true })
      ))
    }
    await Effect.runPromise(Scope.close(scope, Exit.void))
  })
  const client = Layer.suspend(() => Layer.succeedContext(context!))
  const empty = (schema: string) =>
    SqlClient.SqlClient.use((sql) =>
      sql.withTransaction(Effect.all([
        sql`DELETE FROM ${sql(schema)}.events`,
        sql`DELETE FROM ${sql(schema)}.checkpoints`,
        sql`DELETE FROM ${sql(schema)}.snapshots`,
        sql`UPDATE ${sql(schema)}.head SET position = 0`
      ], { discard: true }))
    )
  const lease = (schema: string) =>
    Layer.effectDiscard(Effect.addFinalizer(() =>
      empty(schema).pipe(Effect.andThen(Effect.sync(() => free.push(schema))), Effect.ignore)
    ))
  return {
    client,
    inEmptySchema: (make) =>
      Layer.suspend(() => {
        const schema = free.pop() ?? freshSchema()
        if (!created.includes(schema)) created.push(schema)
        return make(schema).pipe(Layer.provide(lease(schema)), Layer.provide(client))
      })
  }
}
