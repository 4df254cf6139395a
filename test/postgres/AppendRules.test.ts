/**
 * The append function evaluates the admission rules in SQL — the expected version first, then the
 * stream's life cycle — and `EventStore.admit` is their definition. Here the two meet on every
 * case: each stream tail (none, an event, an archive marker, a tombstone) × each expectation
 * (including versions that can never match) × each list of events an append may carry, alone and
 * after a batch of the same `appendMany` that moves the stream first. Each case gets a stream of
 * its own, whose tail is written directly; the store's answer (its result, or its refusal naming
 * stream and versions) must be what `EventStore.admit` decides, and a refused case writes nothing.
 * The cases are appended one at a time, so a case of one batch takes the append function's path for
 * one append of one batch, and a case of two batches its general path: both are held to the rules.
 */
import { ExpectedVersion } from "@chronicle/core"
import { EventStore } from "@chronicle/runtime"
import { PostgresEventStore } from "@chronicle/store-postgres"
import { assert, it } from "@effect/vitest"
import { Effect, Result, Stream } from "effect"
import { SqlClient } from "effect/sql"
import { describePostgres, scratchSchema, useDatabase } from "./database.ts"

const noted: EventStore.Pending = { type: "Noted", data: {} }
const archived = EventStore.marker(EventStore.archivedType)
const deleted = EventStore.marker(EventStore.deletedType)

const tails: ReadonlyArray<EventStore.Tail> = [
  { version: 0, type: undefined },
  { version: 2, type: "Noted" },
  { version: 2, type: EventStore.archivedType },
  { version: 3, type: EventStore.deletedType }
]

const expectations: ReadonlyArray<ExpectedVersion.ExpectedVersion> = [
  ExpectedVersion.any,
  ExpectedVersion.noStream,
  ExpectedVersion.streamExists,
  ...[0, 1, 2, 3, 4, -1, 1.5].map(ExpectedVersion.exact)
]

const eventLists: ReadonlyArray<ReadonlyArray<EventStore.Pending>> = [
  [noted],
  [noted, noted],
  [archived],
  [deleted],
  [noted, archived],
  [noted, deleted]
]

// What a first batch of the same `appendMany` may do to the stream before the batch under test.
const firsts: ReadonlyArray<ReadonlyArray<EventStore.Pending> | undefined> = [undefined, [], [noted], [archived], [deleted]]

interface Case {
  readonly streamId: string
  readonly tail: EventStore.Tail
  readonly batches: ReadonlyArray<EventStore.Batch>
}

const cases: ReadonlyArray<Case> = tails.flatMap((tail, t) =>
  expectations.flatMap((expected, e) =>
    eventLists.flatMap((events, l) =>
      firsts.map((first, f): Case => {
        const streamId = `case-${t}-${e}-${l}-${f}`
        const last = { streamId, events, expected }
        return {
          streamId,
          tail,
          batches: first === undefined ? [last] : [{ streamId, events: first, expected: ExpectedVersion.any }, last]
        }
      })
    )
  )
)

// The refusal, or the versions each batch starts from, as the rules decide them.
const decided = ({ batches, tail }: Case): { readonly starts: ReadonlyArray<number> } | { readonly refusal: unknown } => {
  const admitted = EventStore.admit(batches, () => tail)
  return Result.isSuccess(admitted) ? { starts: admitted.success } : { refusal: admitted.failure }
}

describePostgres("The append function's rules", () => {
  const { client } = useDatabase()

  it.live(`agree with EventStore.admit on all ${cases.length} cases`, () =>
    Effect.gen(function*() {
      const schema = yield* scratchSchema
      const store = yield* PostgresEventStore.make({ schema })
      const sql = yield* SqlClient.SqlClient
      const rows = cases.flatMap(({ streamId, tail }) =>
        Array.from({ length: tail.version }, (_, i) => ({
          stream_id: streamId,
          version: i + 1,
          type: i + 1 === tail.version ? tail.type! : "Noted",
          data: "{}",
          metadata: JSON.stringify({ eventId: `${streamId}-${i + 1}`, recordedAt: 0 })
        }))
      ).map((row, i) => ({ position: i + 1, ...row }))
      yield* sql`INSERT INTO ${sql(schema)}.events ${sql.insert([rows[0]!, ...rows.slice(1)])}`
      yield* sql`UPDATE ${sql(schema)}.head SET position = ${rows.length}`
      for (const one of cases) {
        const expected = decided(one)
        const outcome = yield* Effect.result(store.appendMany(one.batches))
        const stored = yield* Stream.runCollect(store.read(one.streamId))
        if (Result.isSuccess(outcome)) {
          assert.deepStrictEqual({ starts: outcome.success.map((result, b) => result.version - one.batches[b]!.events.length) }, expected, one.streamId)
          assert.strictEqual(stored.length, one.tail.version + one.batches.reduce((n, batch) => n + batch.events.length, 0))
        } else {
          assert.deepStrictEqual({ refusal: outcome.failure }, expected, one.streamId)
          assert.strictEqual(stored.length, one.tail.version, `${one.streamId}: a refused append writes nothing`)
        }
      }
      const refusals = cases.map(decided).filter((one) => "refusal" in one).length
      assert.isAbove(refusals, 100, "the cases exercise the refusals")
      assert.isBelow(refusals, cases.length - 100, "the cases exercise the admissions")
    }).pipe(Effect.scoped, Effect.provide(client)))
})
