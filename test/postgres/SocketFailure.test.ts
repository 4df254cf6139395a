/**
 * A socket failure is reported as what it is: the driver puts Node's errno name (`ECONNREFUSED`)
 * in the `code` where a server error has its SQLSTATE, and the reason must not pass one off as the
 * other. Needs no server: nothing listens on 127.0.0.1:1, so `npm test` runs it with the real
 * `@effect/sql-pg` client.
 */
import { Postgres } from "@chronicle/store-postgres"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { SqlError } from "effect/sql"
import { connect } from "node:net"
import * as Failure from "../../packages/store-postgres/src/internal/failure.ts"

/**
 * What Node reports when every address of a host name refuses: an `AggregateError` with an empty
 * message, `code` ECONNREFUSED and one error per address tried (here a name that resolves to
 * 127.0.0.1 and 127.0.0.2, on port 1, where nothing listens).
 */
const refusedByEveryAddress = Effect.callback<unknown>((resume) => {
  const socket = connect({
    host: "two-addresses.test",
    port: 1,
    autoSelectFamily: true,
    lookup: (_host, _options, callback) =>
      (callback as (error: null, addresses: ReadonlyArray<{ address: string; family: number }>) => void)(null, [
        { address: "127.0.0.1", family: 4 },
        { address: "127.0.0.2", family: 4 }
      ])
  })
  socket.once("error", (error) => resume(Effect.succeed(error)))
})

describe("PostgreSQL socket failures", () => {
  it.live("a refused connection reads 'connection refused … (ECONNREFUSED)', with no SQLSTATE", () =>
    Effect.gen(function*() {
      const url = "postgres://postgres@127.0.0.1:1/chronicle"
      const error = yield* Effect.flip(Layer.build(Postgres.layer({ url, client: { connectTimeout: "5 seconds" } })))
      assert.strictEqual(SqlError.isSqlError(error.cause) ? error.cause.reason._tag : undefined, "ConnectionError")
      assert.strictEqual(
        error.reason,
        "PostgreSQL could not be reached or the connection was lost: connection refused: connect 127.0.0.1:1 (ECONNREFUSED)"
      )
      assert.notInclude(error.message, "SQLSTATE")
      assert.strictEqual(Postgres.sqlState(error), undefined, "an errno name is not a SQLSTATE")
      assert.isTrue(Postgres.isTransient(error), "a refused connection may be accepted later")
    }).pipe(Effect.scoped))

  it.live("a host whose every address refuses reads each attempt, not the AggregateError's empty message", () =>
    Effect.gen(function*() {
      const cause = yield* refusedByEveryAddress
      assert.strictEqual((cause as Error).message, "", "Node's AggregateError says nothing itself")
      const error = new SqlError.SqlError({
        reason: new SqlError.ConnectionError({ cause, message: "PgConnection: Failed to connect", operation: "connect" })
      })
      assert.strictEqual(
        Failure.describe(error),
        "PostgreSQL could not be reached or the connection was lost: connection refused: connect 127.0.0.1:1 (ECONNREFUSED); " +
          "connection refused: connect 127.0.0.2:1 (ECONNREFUSED)"
      )
      assert.strictEqual(Failure.sqlStateOf(error), undefined)
    }))
})
