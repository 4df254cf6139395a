/**
 * One writer process of `Writers.test.ts`: appends one event at a time to its own stream, each at
 * the exact version it expects, through its own PostgreSQL layer, until its stdin ends; it prints
 * `ready` once connected, a line with the version after each append, and `done <version>` at the
 * end. Exits with 1 if an append fails.
 *
 *   node test/postgres/server/appender.ts <database url> <schema> <stream id>
 */
import { ExpectedVersion } from "@chronicle/core"
import { EventStore } from "@chronicle/runtime"
import { Postgres } from "@chronicle/store-postgres"
import { Effect } from "effect"

const [url = "", schema = "", streamId = ""] = process.argv.slice(2)

const program = Effect.gen(function*() {
  const store = yield* EventStore.EventStore
  let stopped = false
  process.stdin.on("end", () => (stopped = true))
  process.stdin.resume()
  console.log("ready")
  let version = 0
  while (!stopped) {
    const data = { _tag: "Noted", note: `${streamId}.${version + 1}` }
    version = (yield* store.append(streamId, [{ type: "Noted", data }], ExpectedVersion.exact(version))).version
    console.log(version)
  }
  console.log(`done ${version}`)
}).pipe(Effect.provide(Postgres.layer({ url, schema })))

Effect.runPromise(program).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  }
)
