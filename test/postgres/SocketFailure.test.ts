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
})
