/**
 * One writer process of `Writers.test.ts`: four loops, each appending one event at a time to a
 * stream of its own (`<prefix>-0` … `<prefix>-3`) at the exact version it expects, through one
 * PostgreSQL layer, until its stdin ends. So some append of the process is nearly always under way.
 * It prints `ready` once connected, the number of events appended so far after each append, and
 * `done <number>` at the end. Exits with 1 if an append fails.
 *
 *   node test/postgres/server/appender.ts <database url> <schema> <prefix>
 */
import { ExpectedVersion } from "@chronicle/core"
import { EventStore } from "@chronicle/runtime"
import { Postgres } from "@chronicle/store-postgres"
import { Effect } from "effect"

const [url = "", schema = "", prefix = ""] = process.argv.slice(2)

const program = Effect.gen(function*() {
  const store = yield* EventStore.EventStore
  let stopped = false
  process.stdin.on("end", () => (stopped = true))
  process.stdin.resume()
  console.log("ready")
  let appended = 0
  const loop = (streamId: string) =>
    Effect.gen(function*() {
      let version = 0
      while (!stopped) {
        const data = { _tag: "Noted", note: `${streamId}.${version + 1}` }
        version = (yield* store.append(streamId, [{ type: "Noted", data }], ExpectedVersion.exact(version))).version
        console.log(++appended)
      }
    })
  yield* Effect.forEach([0, 1, 2, 3], (i) => loop(`${prefix}-${i}`), { concurrency: "unbounded", discard: true })
  console.log(`done ${appended}`)
}).pipe(Effect.provide(Postgres.layer({ url, schema })))

Effect.runPromise(program).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  }
)
