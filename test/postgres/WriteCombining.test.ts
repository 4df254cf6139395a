/**
 * Write-combining and bulk writes of the PostgreSQL event store. Concurrent appends of one instance
 * share statements (one statement announces its commit once, so the instance sends fewer
 * notifications than it makes appends), yet each keeps its own expected version and its own
 * outcome: exactly the conflicting ones fail, each naming its stream, and an `appendMany` carried
 * in a shared statement stays all-or-nothing. An append whose caller is interrupted before it is
 * sent is left out. A large `appendMany` (a log import) is one statement
 * and one commit; a conflict or a payload the database refuses in its last stream writes nothing.
 */
import type { Envelope } from "@chronicle/core"
import { ExpectedVersion } from "@chronicle/core"
import type { EventStore } from "@chronicle/runtime"
import { assert, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Queue, Result, Stream } from "effect"
import type { Scope } from "effect"
import { describePostgres, instance, scratchSchema, useDatabase } from "./database.ts"
import type { Instance } from "./database.ts"

const noted = (note: string): EventStore.Pending => ({ type: "Noted", data: { note } })

const readLog = (store: EventStore.Service) => Stream.runCollect(store.readAll())

const positions = (events: ReadonlyArray<Envelope.Recorded>) => events.map((event) => event.position)

const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1)

/** The notifications on the schema's channel, from now on: `count` takes those that arrived. */
const notifications = (
  { sql }: Instance,
  schema: string
): Effect.Effect<{ readonly count: Effect.Effect<number> }, unknown, Scope.Scope> =>
  Effect.map(sql.listen(`chronicle/${schema}`), (queue) => ({
    count: Effect.sleep("300 millis").pipe(Effect.andThen(Queue.clear(queue)), Effect.map((heard) => heard.length), Effect.orDie)
  }))

describePostgres("Write-combining", () => {
  const { client } = useDatabase()

  it.live("concurrent appends share statements, and exactly the conflicting ones fail, each naming its stream", () =>
    Effect.gen(function*() {
      const schema = yield* scratchSchema
      const writer = yield* instance(schema)
      const { store } = writer
      const streams = Array.from({ length: 20 }, (_, i) => `s-${i}`)
      yield* store.appendMany(streams.map((streamId) => ({ streamId, events: [noted("opened")], expected: ExpectedVersion.noStream })))
      const heard = yield* notifications(writer, schema)
      const attempts = [
        // Two appends per stream expect it at version 1: one of them wins.
        ...streams.map((streamId) => ({ streamId, expected: ExpectedVersion.exact(1), kind: "race" })),
        ...streams.map((streamId) => ({ streamId, expected: ExpectedVersion.exact(1), kind: "race" })),
        // Stale: these streams are never at version 7.
        ...streams.slice(0, 10).map((streamId) => ({ streamId, expected: ExpectedVersion.exact(7), kind: "stale" })),
        ...Array.from({ length: 10 }, (_, i) => ({ streamId: `new-${i}`, expected: ExpectedVersion.noStream, kind: "new" }))
      ]
      const outcomes = yield* Effect.forEach(
        attempts,
        ({ expected, kind, streamId }) => Effect.result(store.append(streamId, [noted(kind)], expected)),
        { concurrency: "unbounded" }
      )
      const byKind = (kind: string) => outcomes.filter((_, i) => attempts[i]!.kind === kind)
      for (const streamId of streams) {
        const races = outcomes.filter((_, i) => attempts[i]!.kind === "race" && attempts[i]!.streamId === streamId)
        const won = races.filter(Result.isSuccess)
        const lost = races.filter(Result.isFailure)
        assert.strictEqual(won.length, 1, `one append on ${streamId} wins`)
        assert.strictEqual(won[0]!.success.version, 2)
        assert.deepInclude(lost[0]!.failure, { _tag: "WrongExpectedVersion", streamId, expected: ExpectedVersion.exact(1), actual: 2 })
      }
      byKind("stale").forEach((outcome, i) => {
        assert.isTrue(Result.isFailure(outcome))
        assert.deepInclude(Result.isFailure(outcome) ? outcome.failure : {}, {
          _tag: "WrongExpectedVersion",
          streamId: streams[i],
          expected: ExpectedVersion.exact(7)
        })
      })
      byKind("new").forEach((outcome) => assert.strictEqual(Result.isSuccess(outcome) ? outcome.success.version : 0, 1))
      const log = yield* readLog(store)
      assert.deepStrictEqual(positions(log), upTo(20 + 20 + 10))
      const count = yield* heard.count
      assert.isAtLeast(count, 1)
      assert.isBelow(count, 30, "30 appends were written: fewer commits announced them")
    }).pipe(Effect.scoped, Effect.provide(client)))

  it.live("an appendMany that shares a statement with appends stays all-or-nothing", () =>
    Effect.gen(function*() {
      const schema = yield* scratchSchema
      const { store } = yield* instance(schema)
      yield* store.append("taken", [noted("first")], ExpectedVersion.noStream)
      const many = store.appendMany([
        { streamId: "m-1", events: [noted("m")], expected: ExpectedVersion.noStream },
        { streamId: "m-2", events: [noted("m")], expected: ExpectedVersion.noStream },
        { streamId: "taken", events: [noted("m")], expected: ExpectedVersion.noStream }
      ])
      const singles = Array.from({ length: 12 }, (_, i) => store.append(`single-${i}`, [noted("s")], ExpectedVersion.noStream))
      const [refused, ...written] = yield* Effect.all([Effect.flip(many), ...singles], { concurrency: "unbounded" })
      assert.deepInclude(refused, { _tag: "WrongExpectedVersion", streamId: "taken", expected: ExpectedVersion.noStream, actual: 1 })
      assert.strictEqual(written.length, 12)
      const log = yield* readLog(store)
      assert.deepStrictEqual(positions(log), upTo(13))
      assert.deepStrictEqual(log.filter((event) => event.streamId.startsWith("m-")), [])
    }).pipe(Effect.scoped, Effect.provide(client)))

  it.live("an append interrupted while it waits for a statement is left out: it writes nothing", () =>
    Effect.gen(function*() {
      const schema = yield* scratchSchema
      const { store } = yield* instance(schema)
      const holder = yield* instance(schema)
      const held = yield* Deferred.make<void>()
      const release = yield* Deferred.make<void>()
      const holding = yield* holder.sql.withTransaction(
        holder.sql`SELECT position FROM ${holder.sql(schema)}.head FOR UPDATE`.pipe(
          Effect.andThen(Deferred.succeed(held, undefined)),
          Effect.andThen(Deferred.await(release))
        )
      ).pipe(Effect.forkChild)
      yield* Deferred.await(held)
      // One at a time, so that each of the two statements on their way carries one and waits.
      const sent = []
      for (const streamId of ["a", "b"]) {
        sent.push(yield* Effect.forkChild(store.append(streamId, [noted(streamId)], ExpectedVersion.noStream)))
        yield* Effect.sleep("300 millis")
      }
      const waiting = yield* Effect.forkChild(store.append("c", [noted("c")], ExpectedVersion.noStream))
      yield* Effect.sleep("100 millis")
      yield* Fiber.interrupt(waiting)
      yield* Deferred.succeed(release, undefined)
      yield* Fiber.join(holding)
      for (const fiber of sent) yield* Fiber.join(fiber)
      yield* store.append("d", [noted("d")], ExpectedVersion.noStream)
      const log = yield* readLog(store)
      assert.sameMembers(log.map((event) => event.streamId), ["a", "b", "d"])
      assert.deepStrictEqual(positions(log), upTo(3))
    }).pipe(Effect.scoped, Effect.provide(client)))
})

describePostgres("Bulk appendMany", () => {
  const { client } = useDatabase()

  const batches = (streams: number, events: number): Array<EventStore.Batch> =>
    Array.from({ length: streams }, (_, s) => ({
      streamId: `import-${s}`,
      events: Array.from({ length: events }, (_, e) => noted(`${s}.${e}`)),
      expected: ExpectedVersion.noStream
    }))

  it.live("a log of 300 streams is written in one statement: gapless positions, one commit announced", () =>
    Effect.gen(function*() {
      const schema = yield* scratchSchema
      const writer = yield* instance(schema)
      const heard = yield* notifications(writer, schema)
      const results = yield* writer.store.appendMany(batches(300, 5), { expectedLastPosition: 0 })
      assert.deepStrictEqual(results.map((result) => result.version), Array.from({ length: 300 }, () => 5))
      const log = yield* readLog(writer.store)
      assert.deepStrictEqual(positions(log), upTo(1_500))
      assert.deepStrictEqual(log.map((event) => event.version), log.map((_, i) => (i % 5) + 1))
      assert.strictEqual(yield* heard.count, 1)
    }).pipe(Effect.scoped, Effect.provide(client)))

  const spoilers: ReadonlyArray<readonly [string, EventStore.Batch, (error: unknown) => void]> = [
    ["a conflict", { streamId: "import-0", events: [noted("again")], expected: ExpectedVersion.noStream }, (error) =>
      assert.deepInclude(error, { _tag: "WrongExpectedVersion", streamId: "import-0", expected: ExpectedVersion.noStream, actual: 5 })],
    ["a payload the database refuses", { streamId: "last", events: [noted("nul \u0000 inside")], expected: ExpectedVersion.noStream }, (error) => {
      assert.deepInclude(error, { _tag: "StoreError", operation: "append" })
      assert.include(String(error), "SQLSTATE 22P05")
    }]
  ]
  for (const [what, last, check] of spoilers) {
    it.live(`${what} in the last stream of a large appendMany writes nothing`, () =>
      Effect.gen(function*() {
        const schema = yield* scratchSchema
        const { store } = yield* instance(schema)
        check(yield* Effect.flip(store.appendMany([...batches(300, 5), last], { expectedLastPosition: 0 })))
        assert.deepStrictEqual(yield* readLog(store), [])
        assert.strictEqual(yield* store.lastPosition, 0)
      }).pipe(Effect.scoped, Effect.provide(client)))
  }
})
